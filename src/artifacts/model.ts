/**
 * Saving a TensorFlow.js model into the store as `model.json` + `weights.bin` under a prefix
 * (`runs/<runId>/models/<candidateId>/`, `runs/<runId>/model/`), the layout `tf.loadLayersModel`
 * reads. TensorFlow.js is imported lazily, so modules that only read documents do not load it.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { Store } from '../store/store.js';

export interface SavedModelKeys {
  modelKey: string;
  weightsKey: string;
  weightBytes: number;
}

const WEIGHTS_FILE = 'weights.bin';

export function joinPrefix(prefix: string, name: string): string {
  return prefix === '' || prefix.endsWith('/') ? `${prefix}${name}` : `${prefix}/${name}`;
}

/**
 * Save `model` under `prefix`: the weights first, then model.json (readers that find model.json
 * therefore find its weights). Returns the keys written.
 */
export async function saveModelToStore(model: tfTypes.LayersModel, store: Store, prefix: string): Promise<SavedModelKeys> {
  const tf = await import('@tensorflow/tfjs');
  const modelKey = joinPrefix(prefix, 'model.json');
  const weightsKey = joinPrefix(prefix, WEIGHTS_FILE);
  let weightBytes = 0;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData;
      const weights = data === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(data);
      weightBytes = weights.byteLength;
      const modelJson: tfTypes.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as tfTypes.io.ModelJSON['modelTopology'],
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      await store.put(weightsKey, new Uint8Array(weights), 'application/octet-stream');
      await store.put(modelKey, `${JSON.stringify(modelJson)}\n`, 'application/json');
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  return { modelKey, weightsKey, weightBytes };
}

/** Load a model saved by `saveModelToStore` (model.json + weights.bin under the prefix). */
export async function loadModelFromStore(store: Store, prefix: string): Promise<tfTypes.LayersModel> {
  const tf = await import('@tensorflow/tfjs');
  const json = JSON.parse(new TextDecoder().decode(await store.get(joinPrefix(prefix, 'model.json')))) as tfTypes.io.ModelJSON;
  const bytes = await store.get(joinPrefix(prefix, WEIGHTS_FILE));
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: specs,
      weightData,
      format: json.format,
      generatedBy: json.generatedBy,
      ...(json.userDefinedMetadata ? { userDefinedMetadata: json.userDefinedMetadata } : {}),
    }),
  );
}
