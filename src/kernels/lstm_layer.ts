/**
 * `fusedLstm(args)`: a drop-in for `tf.layers.lstm(args)` whose call runs `lstmSequence` (two
 * kernels per layer, see lstm.ts) when it can, and tf.layers.lstm's own step-by-step code when it
 * cannot: another backend, dropout inside the cell, masking, stateful or reversed layers, initial
 * or returned states, activations other than tanh/sigmoid. It *is* an LSTM layer (a subclass):
 * same weights, class name, config, regularisers and serialisation (it saves as a plain 'LSTM').
 */
import * as tf from '@tensorflow/tfjs';
import type { LSTM, LSTMCell, LSTMLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/recurrent.js';
import { lstmSequence, lstmSequenceAvailable } from './lstm.js';

type Kwargs = Parameters<LSTM['call']>[1];

/** tf.layers' LSTM class (not exported by name from @tensorflow/tfjs). */
const LstmClass = (tf.layers.lstm({ units: 1 }) as LSTM).constructor as new (args: LSTMLayerArgs) => LSTM;

function activationName(a: { getClassName(): string } | null | undefined): string | undefined {
  return a?.getClassName();
}

export class FusedLstm extends LstmClass {
  /** Whether the fused kernels ran for the last call (for tests and profiling). */
  lastCallFused = false;

  private canFuse(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): inputs is tf.Tensor | [tf.Tensor] {
    const cell = this.cell as LSTMCell;
    const layer = this as unknown as { stateful?: boolean };
    const single = !Array.isArray(inputs) || inputs.length === 1;
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return (
      lstmSequenceAvailable() &&
      single &&
      x !== undefined &&
      x.rank === 3 &&
      x.dtype === 'float32' &&
      !layer.stateful &&
      !this.goBackwards &&
      !this.returnState &&
      kwargs?.['mask'] == null &&
      kwargs?.['initialState'] == null &&
      cell.useBias &&
      !(cell.dropout > 0) &&
      !(cell.recurrentDropout > 0) &&
      activationName(cell.activation) === 'tanh' &&
      activationName(cell.recurrentActivation) === 'sigmoid'
    );
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    this.lastCallFused = this.canFuse(inputs, kwargs);
    if (!this.lastCallFused) return super.call(inputs, kwargs);
    const cell = this.cell as LSTMCell;
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
    return tf.tidy(() => lstmSequence(x, cell.kernel.read() as tf.Tensor2D, cell.recurrentKernel.read() as tf.Tensor2D, cell.bias.read() as tf.Tensor1D, this.returnSequences));
  }
}

/** Same arguments and result as tf.layers.lstm; faster training on the wasm backend. */
export function fusedLstm(args: LSTMLayerArgs): FusedLstm {
  return new FusedLstm(args);
}
