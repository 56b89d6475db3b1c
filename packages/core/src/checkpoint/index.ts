export { saveCheckpoint, loadCheckpoint, listCheckpoints, checkpointPaths } from './checkpoint.ts';
export type { SavedCheckpoint, LoadedCheckpoint, CheckpointListing } from './checkpoint.ts';
export {
  CheckpointError,
  compareTensorShapes,
  describeMismatch,
  isEmptyMismatch,
  formatShape,
} from './checkpoint_error.ts';
export type { CheckpointErrorKind, TensorSetMismatch } from './checkpoint_error.ts';
export { encodeSafetensors, MAX_HEADER_BYTES } from './safetensors_encode.ts';
export { decodeSafetensors } from './safetensors_decode.ts';
export type { DecodedSafetensors } from './safetensors_decode.ts';
export { SAFETENSORS_DTYPES, SAFETENSORS_DTYPE_NAMES, isSafetensorsDtype } from './safetensors_dtypes.ts';
export type { SafetensorsDtype, SafetensorsTensor, SafetensorsTypedArray } from './safetensors_dtypes.ts';
export { MANIFEST_FORMAT, MANIFEST_FORMAT_VERSION, manifestSchema } from './manifest.ts';
export type { CheckpointManifest, CheckpointMetadata, JsonValue } from './manifest.ts';
export { writeFileAtomic } from './atomic_write.ts';
export { toSafetensorsTensor, fromSafetensorsTensor } from './tensor_conversion.ts';
