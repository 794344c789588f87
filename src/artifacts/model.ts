/**
 * Saving a TensorFlow.js model into the store as `model.json` + `weights.bin` under a prefix
 * (`runs/<runId>/models/<candidateId>/`, `runs/<runId>/model/`), the layout `tf.loadLayersModel`
 * reads. TensorFlow.js is imported lazily, so modules that only read documents do not load it.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { Preprocessing } from '../data/preprocess.js';
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

/** What tfjs accepts in userDefinedMetadata without printing a warning of its own (serialized length). */
const METADATA_LIMIT = 1_048_576;

/**
 * The preprocessing in the model's userDefinedMetadata, for who loads model.json alone — when it fits
 * tfjs's limit: a table of thousands of columns would make tfjs print its warning on every save.
 * preprocessing.json beside the model holds it either way (what layerbench reads).
 */
export function embedPreprocessing(model: Pick<tfTypes.LayersModel, 'setUserDefinedMetadata'>, preprocessing: Preprocessing): void {
  const metadata = { layerbench: { preprocessing } };
  if (JSON.stringify(metadata).length <= METADATA_LIMIT) model.setUserDefinedMetadata(metadata);
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

/** A model and a preprocessing.json that disagree (files swapped or edited) are refused before any row is fed. */
export function checkModelFits(model: tfTypes.LayersModel, prep: Preprocessing, prefix: string): void {
  const takes = model.inputs[0]?.shape.slice(1) ?? [];
  const gives = model.outputs[0]?.shape.at(-1);
  const fail = (what: string) => {
    model.dispose();
    throw new DocumentError(prefix, `model.json and preprocessing.json do not belong together: ${what}`);
  };
  if (takes.length !== prep.inputShape.length || takes.some((d, i) => d !== null && d !== prep.inputShape[i])) {
    fail(`the model takes inputs of shape [${takes.join(', ')}], the preprocessing prepares [${prep.inputShape.join(', ')}]`);
  }
  if (gives !== undefined && gives !== null && gives !== prep.outputs) fail(`the model gives ${gives} outputs, the preprocessing reads ${prep.outputs}`);
  const t = prep.target;
  const reads = t.kind === 'classes' ? (prep.task === 'binary' ? (t.classes.length === 2 ? 1 : Number.NaN) : t.classes.length) : t.names.length;
  if (reads !== prep.outputs) fail(`the preprocessing's target (${t.kind === 'classes' ? `${t.classes.length} classes` : `${t.names.length} values`}) does not fit its ${prep.outputs} outputs`);
}
