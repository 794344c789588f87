import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderDefinition, templateSource } from '../infra/render-definition.js';
import { definitionFromTemplate, templateDefaults, type RenderOptions } from '../src/workflow/asl.js';

describe('the committed definition template (what `layerbench run` runs without loading aws-cdk-lib)', () => {
  it('is what infra/workflow.ts renders (rerun `npx tsx infra/render-definition.ts --write-template` after changing it)', async () => {
    const committed = await readFile(fileURLToPath(new URL('../src/workflow/definition_template.ts', import.meta.url)), 'utf8');
    expect(committed).toBe(templateSource());
  });

  it('holds the construct’s defaults, with no placeholder value in it', () => {
    expect(templateDefaults()).toEqual({ maxConcurrency: 8, trainTimeoutSeconds: 900 });
    expect(definitionFromTemplate()).toEqual(renderDefinition().definition);
  });

  it('is the Standard-children definition; the deployed default, Express, differs only in the children and in Train’s 4-minute timeout', () => {
    const express = renderDefinition({ mapExecution: 'express' }).definition;
    const local = structuredClone(definitionFromTemplate());
    const children = local.States.TrainCandidates!.ItemProcessor!;
    expect(children.ProcessorConfig).toMatchObject({ ExecutionType: 'STANDARD' });
    expect(children.States.Train!.TimeoutSeconds).toBe(900);
    children.ProcessorConfig = { ...children.ProcessorConfig, ExecutionType: 'EXPRESS' };
    children.States.Train!.TimeoutSeconds = 240;
    expect(local).toEqual(express);
  });

  const options: RenderOptions[] = [
    { maxConcurrency: 1 },
    { maxConcurrency: 2, trainTimeoutSeconds: 60 },
    { trainTimeoutSeconds: 120 },
    { maxConcurrency: 16, trainTimeoutSeconds: 3600 },
    { maxConcurrency: 8, trainTimeoutSeconds: 900 },
  ];
  it.each(options)('gives the rendered definition for %o', (opts) => {
    expect(definitionFromTemplate(opts)).toEqual(renderDefinition(opts).definition);
  });
});
