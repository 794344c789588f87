/**
 * Imported first by the training worker: with source maps on (tsx turns them on), Node reads the
 * source maps of every tfjs file it loads, about 0.45 s of each worker's start. Worker errors travel
 * as name and message, so the maps buy nothing there.
 */
process.setSourceMapsEnabled(false);
