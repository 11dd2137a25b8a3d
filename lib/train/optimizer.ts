/** Optimizers and learning-rate schedules named in a training configuration. */
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from './config';

export function createOptimizer(config: TrainConfig['optimizer']): tf.Optimizer {
  switch (config.name) {
    case 'sgd':
      return tf.train.momentum(config.learningRate, 0.9);
    case 'rmsprop':
      return tf.train.rmsprop(config.learningRate);
    case 'adam':
      return tf.train.adam(config.learningRate);
  }
}

/** The learning rate of `epoch` (0-based) out of `epochs` under the configured schedule. */
export function learningRateAt(config: TrainConfig['optimizer'], epoch: number, epochs: number): number {
  switch (config.schedule) {
    case 'constant':
      return config.learningRate;
    case 'cosine':
      // Half a cosine from the base rate towards 0, evaluated at the start of each epoch.
      return config.learningRate * 0.5 * (1 + Math.cos((Math.PI * epoch) / epochs));
    case 'step':
      return config.learningRate * config.stepFactor ** Math.floor(epoch / config.stepEvery);
  }
}

/**
 * Sets the rate an optimizer applies from its next step on (tfjs exposes no common setter, hence the
 * narrow casts).
 */
export function setLearningRate(optimizer: tf.Optimizer, rate: number): void {
  // SGD and momentum keep the rate in a cached scalar and offer a setter; the others read the field.
  const withSetter = optimizer as unknown as { setLearningRate?: (rate: number) => void };
  if (typeof withSetter.setLearningRate === 'function') withSetter.setLearningRate(rate);
  else (optimizer as unknown as { learningRate: number }).learningRate = rate;
}

/**
 * Disposes everything an optimizer holds. tfjs 4.22's MomentumOptimizer.dispose() overrides SGD's and
 * forgets the learning-rate scalar (`c`) that SGD keeps, so an `sgd` run leaked one tensor per train() call.
 */
export function disposeOptimizer(optimizer: tf.Optimizer): void {
  const learningRateScalar = (optimizer as unknown as { c?: tf.Tensor }).c;
  optimizer.dispose();
  if (learningRateScalar instanceof tf.Tensor && !learningRateScalar.isDisposed) learningRateScalar.dispose();
}
