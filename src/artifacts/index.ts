/** What a trained model leaves in the store: model.json + weights.bin and the preprocessing beside it. */
export { joinPrefix, loadModelFromStore, saveModelToStore, type SavedModelKeys } from './model.js';
export { loadPreprocessing, PREPROCESSING_FILE, savePreprocessing } from './preprocessing.js';
export {
  fileType,
  loadPredictor,
  predictionCsv,
  Predictor,
  UNKNOWN_CATEGORY_POLICIES,
  type LoadPredictorOptions,
  type Prediction,
  type PredictOptions,
  type PredictorModel,
  type UnknownCategoryPolicy,
} from './predictor.js';
export { modelCard, type ModelCardInput } from './card.js';
