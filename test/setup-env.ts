/**
 * Test setup (vitest.config.ts setupFiles), run in every test worker before its files: the AWS SDK's
 * NodeVersionSupportWarning off, with the SDK's own switch — as the CLI does (src/cli/program.js).
 * On Node 20 the SDK warns once per process, in six lines, that SDK versions published after January
 * 2027 need Node 22; layerbench pins its SDK in package-lock.json, so the warning is about versions it
 * does not install, and a test run printed it 22 times. Child processes the tests start inherit it.
 * Set it to anything but `true` in the environment to see the warning.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
