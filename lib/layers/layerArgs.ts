/**
 * The arguments every tfjs layer takes, and the check the layer factories (`deltaActivation`, `spatialL1`,
 * `frameDistributed`) run on what a user passes them. The layer classes' constructors do not check: tfjs-layers
 * passes them whatever a saved model's config holds when it deserialises one.
 */
import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, optionKeys } from '../util/errors';

/** The constructor arguments of `tf.layers.Layer` (name, inputShape, trainable, ...). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

const TFJS_LAYER_ARG_KEYS = optionKeys<LayerArgs>({
  inputShape: true, batchInputShape: true, batchSize: true, dtype: true, name: true, trainable: true, weights: true, inputDType: true,
});

/**
 * `args` checked to hold only the layer's own argument names (`ownKeys`) and tfjs's layer arguments; throws a
 * DeltaSparsityError naming `factory` and the closest name for any other (a misspelt argument would otherwise
 * be ignored and its default used).
 */
export function checkLayerFactoryArgs<T extends LayerArgs>(factory: string, args: T | undefined, ownKeys: readonly string[]): T {
  return checkOptionKeys(factory, args, [...ownKeys, ...TFJS_LAYER_ARG_KEYS]);
}
