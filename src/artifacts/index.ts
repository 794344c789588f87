/** What a trained model leaves in the store: model.json + weights.bin and the preprocessing beside it. */
export { joinPrefix, loadModelFromStore, saveModelToStore, type SavedModelKeys } from './model.js';
export { loadPreprocessing, PREPROCESSING_FILE, savePreprocessing } from './preprocessing.js';
