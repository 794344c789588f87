/**
 * Saving a TensorFlow.js model into the store as `model.json` + `weights.bin` under a prefix
 * (`runs/<runId>/models/<candidateId>/`, `runs/<runId>/model/`), the layout `tf.loadLayersModel`
 * reads. TensorFlow.js is imported lazily, so modules that only read documents do not load it.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { DocumentError } from '../errors.js';
import { getJson, type Store } from '../store/store.js';

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

/**
 * Load a model saved by `saveModelToStore` (model.json + weights.bin under the prefix). A file that is
 * not what saveModelToStore writes — not JSON, no topology, weights of another size — is a
 * DocumentError naming the key, checked before tfjs sees it (its own messages run to several lines).
 */
export async function loadModelFromStore(store: Store, prefix: string): Promise<tfTypes.LayersModel> {
  const tf = await import('@tensorflow/tfjs');
  const modelKey = joinPrefix(prefix, 'model.json');
  const json = await getJson<tfTypes.io.ModelJSON>(store, modelKey);
  if (typeof json !== 'object' || json === null || typeof json.modelTopology !== 'object' || json.modelTopology === null || !Array.isArray(json.weightsManifest)) {
    throw new DocumentError(modelKey, 'not a TensorFlow.js layers model (no modelTopology or weightsManifest)');
  }
  const weightsKey = joinPrefix(prefix, WEIGHTS_FILE);
  const bytes = await store.get(weightsKey);
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const specs = json.weightsManifest.flatMap((g) => (Array.isArray(g?.weights) ? g.weights : []));
  const expected = weightBytes(specs);
  if (expected !== null && expected !== bytes.byteLength) {
    throw new DocumentError(weightsKey, `holds ${bytes.byteLength} bytes, but model.json's weights take ${expected}; the two files do not belong together`);
  }
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

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1 };

/** The bytes the weight specs describe; null when one cannot be counted (quantized, an unknown dtype). */
function weightBytes(specs: readonly tfTypes.io.WeightsManifestEntry[]): number | null {
  let total = 0;
  for (const w of specs) {
    const per = DTYPE_BYTES[w.dtype];
    if (w.quantization || per === undefined || !Array.isArray(w.shape)) return null;
    total += w.shape.reduce((a, b) => a * b, 1) * per;
  }
  return total;
}
