/**
 * Typed DSP configurations (DESIGN.md #5): DEFAULT_* + validate*() that copies, fills defaults
 * and throws naming the allowed range. Paper values are noted beside each field.
 */
import { InvalidConfigError } from '../errors';

export type WindowKind = 'hann' | 'hann-symmetric' | 'hamming' | 'povey' | 'rect';

export interface StftConfig {
  /** FFT length in samples (paper 000 public code: 254 -> 128 bins). */
  nFft: number;
  /** Hop in samples (paper 000: 64). */
  hop: number;
  /** Analysis window (torch.stft default: periodic Hann). */
  window: WindowKind;
  /** Pad nFft/2 on both sides by reflection so frame f is centred on sample f*hop (torch/librosa center=True). */
  center: boolean;
}

export const DEFAULT_STFT: StftConfig = { nFft: 254, hop: 64, window: 'hann', center: true };

export function validateStft(c: Partial<StftConfig> = {}): StftConfig {
  const out = { ...DEFAULT_STFT, ...c };
  if (!Number.isInteger(out.nFft) || out.nFft < 4 || out.nFft > 8192 || out.nFft % 2 !== 0) {
    throw new InvalidConfigError('nFft', `${out.nFft} (allowed: even integer 4..8192)`);
  }
  if (!Number.isInteger(out.hop) || out.hop < 1 || out.hop > out.nFft) {
    throw new InvalidConfigError('hop', `${out.hop} (allowed: integer 1..nFft=${out.nFft})`);
  }
  if (!['hann', 'hann-symmetric', 'hamming', 'povey', 'rect'].includes(out.window)) {
    throw new InvalidConfigError('window', `${out.window} (allowed: hann, hann-symmetric, hamming, povey, rect)`);
  }
  return out;
}

/** Paper 000's audio input (public code): 11025 Hz mono, 1 s, STFT 254/64, warped to 128x128. */
export interface LogFreqConfig {
  sampleRate: number; // 11025
  seconds: number; // 1
  stft: StftConfig; // nFft 254, hop 64 -> 128 bins x 173 frames
  outFreq: number; // 128
  outTime: number; // 128
}

export const DEFAULT_LOGFREQ: LogFreqConfig = { sampleRate: 11025, seconds: 1, stft: DEFAULT_STFT, outFreq: 128, outTime: 128 };

export function validateLogFreq(c: Partial<LogFreqConfig> = {}): LogFreqConfig {
  const out = { ...DEFAULT_LOGFREQ, ...c, stft: validateStft(c.stft ?? DEFAULT_LOGFREQ.stft) };
  for (const k of ['outFreq', 'outTime'] as const) {
    if (!Number.isInteger(out[k]) || out[k] < 2 || out[k] > 2048) throw new InvalidConfigError(k, `${out[k]} (allowed: integer 2..2048)`);
  }
  return out;
}

/**
 * Paper 002 (supp.): Kaldi-compliant log-mel fbank of each binaural channel at 16 kHz,
 * 25 ms window, 10 ms hop, 128 mel bins -> 98 frames per second (snip_edges).
 */
export interface MelConfig {
  sampleRate: number; // 16000
  frameLength: number; // 400 samples = 25 ms
  frameShift: number; // 160 samples = 10 ms
  nFft: number; // 512 (next power of two >= frameLength, Kaldi round_to_power_of_two)
  nMels: number; // 128
  lowHz: number; // 20 (Kaldi default low_freq)
  highHz: number; // 0 -> Nyquist (Kaldi default high_freq)
  preemphasis: number; // 0.97
  removeDc: boolean; // true
  window: WindowKind; // 'hann-symmetric' (torchaudio kaldi 'hanning', as AST-style code uses)
  /** Floor before the log (Kaldi: float32 epsilon). */
  floor: number;
}

export const DEFAULT_MEL: MelConfig = {
  sampleRate: 16000, frameLength: 400, frameShift: 160, nFft: 512, nMels: 128, lowHz: 20, highHz: 0,
  preemphasis: 0.97, removeDc: true, window: 'hann-symmetric', floor: 1.1920928955078125e-7,
};

export function validateMel(c: Partial<MelConfig> = {}): MelConfig {
  const out = { ...DEFAULT_MEL, ...c };
  if (out.nFft < out.frameLength) throw new InvalidConfigError('nFft', `${out.nFft} (allowed: >= frameLength ${out.frameLength})`);
  if (out.nMels < 1 || out.nMels > 512) throw new InvalidConfigError('nMels', `${out.nMels} (allowed: 1..512)`);
  const nyq = out.sampleRate / 2;
  const high = out.highHz <= 0 ? nyq + out.highHz : out.highHz;
  if (!(out.lowHz >= 0 && high > out.lowHz && high <= nyq)) throw new InvalidConfigError('lowHz/highHz', `${out.lowHz}..${high} (allowed: 0 <= low < high <= ${nyq})`);
  if (out.preemphasis < 0 || out.preemphasis >= 1) throw new InvalidConfigError('preemphasis', `${out.preemphasis} (allowed: 0 <= p < 1)`);
  return out;
}
