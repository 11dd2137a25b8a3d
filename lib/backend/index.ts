/** Backend choice (tensorflow > wasm > cpu) and the kernels that let the wasm backend train. */
export {
  initBackend,
  backendLine,
  isBackendAvailable,
  BACKEND_NAMES,
  BACKEND_ENV_VAR,
  TFJS_NODE_INSTALL_COMMAND,
} from './initBackend';
export type { BackendName, BackendChoice, BackendAvailability, InitBackendOptions } from './initBackend';
export { patchedWasmKernels } from './wasmKernels';
export type { PatchedKernelInfo } from './wasmKernels';
export { setConvBackpropProvider, convBackpropProvider } from './wasmConvKernels';
export type { ConvBackpropProvider } from './wasmConvKernels';
export { chooseConvKernels, activeConvProvider, nativeConvKernelNames } from './nativeConvKernels';
export { CONV_ENV_VAR, CONV_PROVIDERS, THREADS_ENV_VAR, loadOneDnnAddon } from './onednnAddon';
export type { ConvProvider, ConvKernelChoice, OneDnnAddon } from './onednnAddon';
