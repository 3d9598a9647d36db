/**
 * Paper 003, "Localizing Visual Sounds the Hard Way" (LVS): the baseline localizer and its
 * trimap hard-negative contrastive loss.
 *
 *   V_j = f(I_j)          frozen MobileNetV2 f14 [14, 14, 576] -> learned 1x1 projection -> [14, 14, d]   (eq. 1)
 *   A_i = g(a_i)          audio encoder (audio.ts) -> [d]                                                 (eq. 2)
 *   [S_{i->j}]_uv = <A_i, [V_j]_uv> / (||A_i|| ||[V_j]_uv||)                                              (sec. 2.2)
 *   m_ip = sigmoid((S_{i->i} - eps_p) / tau),  m_in = sigmoid((S_{i->i} - eps_n) / tau)                   (sec. 2.3)
 *   P_i  = <m_ip, S_ii> / |m_ip|                 positive: the confident region of the own image
 *   H_i  = <1 - m_in, S_ii> / |1 - m_in|         hard negative: the background of the same image
 *   E_ij = <m_jp, S_{i->j}> / |m_jp|, j != i     easy negatives: the sound against other clips' images
 *                                                (m_jp thresholds S_{i->j} at eps_p; the paper writes the mean <1, S_{i->j}>/hw)
 *   L    = -1/k sum_i log softmax([P_i, E_i1..E_ik (j != i), H_i] / T)_0
 *
 * The loss is written as in the public code (hche11/Localizing-Visual-Sounds-the-hard-way): one
 * softmax over the positive, every easy negative and the hard negative, logits divided by
 * T = 0.07. The paper's display form lumps the negatives into one N_i of a two-way softmax; the
 * multi-way form is what was trained. Two details differ from the public code on purpose:
 *   - the own pair is removed from the easy negatives by masking its logit to -inf (the public
 *     code multiplies it by -99, which turns a negative similarity into a large positive logit);
 *   - easy negatives: the public code's positive-region average of S_{i->j} (`'trimap'`, default),
 *     i.e. the same soft max as P_i; `'mean'` gives the paper's display form 1/hw sum S_{i->j}.
 *     With 'mean' a soft max (P_i) is compared with a mean (E_ij): any spatial contrast in S wins,
 *     and on lvs.test.ts's toy the loss went to ~0 while the maps peaked on background (0-1 of 8
 *     objects found) - with 'trimap' the same toy finds 4 of 8 at 1/25 chance.
 * The localization map is S_{i->i} [14, 14] (what LVS evaluates).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidConfigError, WeightsUnavailableError } from '../errors';
import { fetchVerified, type Fetcher, type LoadProgress, type Manifest } from '../weights/verify';
import { audioEncode, initAudioParams, makeVariable, validateAudioConfig, type AudioEncoderConfig, type Params } from './audio';

export interface LvsConfig {
  /** Channels of the frozen visual trunk's map (MobileNetV2 block_13_expand_relu: 576). */
  visualChannels: number;
  /** Joint space size d (LVS: 512). */
  embedDim: number;
  /** Hidden width of the visual 1x1 projection; 0 = one linear 1x1 layer. */
  visualHidden: number;
  /** Trimap positive threshold eps_p (paper 003: 0.65). */
  epsP: number;
  /** Trimap negative threshold eps_n (paper 003: 0.4); must be below eps_p. */
  epsN: number;
  /** Sigmoid temperature tau of the soft threshold (paper 003: 0.03). */
  tau: number;
  /** Logits are divided by this (public code: 0.07). */
  temperature: number;
  /** Use the same-image hard negative H_i (paper 003's contribution; false = plain AV contrastive). */
  hardNegatives: boolean;
  /** 'trimap': public code's positive-region average of S_{i->j} (default); 'mean': paper's 1/hw sum. */
  easyNegatives: 'mean' | 'trimap';
  /** Norms are clamped to at least this before dividing. */
  normEps: number;
  audio: AudioEncoderConfig;
}

export const DEFAULT_LVS_CONFIG: LvsConfig = {
  visualChannels: 576, embedDim: 128, visualHidden: 0,
  epsP: 0.65, epsN: 0.4, tau: 0.03, temperature: 0.07,
  hardNegatives: true, easyNegatives: 'trimap', normEps: 1e-6,
  audio: validateAudioConfig({ embedDim: 128 }),
};

export function validateLvsConfig(c: Partial<Omit<LvsConfig, 'audio'>> & { audio?: Partial<AudioEncoderConfig> } = {}): LvsConfig {
  const out = { ...DEFAULT_LVS_CONFIG, ...c } as LvsConfig;
  const num = (k: keyof LvsConfig, lo: number, hi: number, openLo: boolean) => {
    const v = out[k] as unknown;
    if (typeof v !== 'number' || !Number.isFinite(v) || (openLo ? v <= lo : v < lo) || v > hi) {
      throw new InvalidConfigError(k, `must be a number in ${openLo ? '(' : '['}${lo}, ${hi}], got ${String(v)}`);
    }
  };
  const int = (k: keyof LvsConfig, lo: number, hi: number) => {
    const v = out[k] as unknown;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new InvalidConfigError(k, `must be an integer in [${lo}, ${hi}], got ${String(v)}`);
  };
  int('visualChannels', 1, 4096);
  int('embedDim', 2, 2048);
  int('visualHidden', 0, 4096);
  num('epsP', -1, 1, false);
  num('epsN', -1, 1, false);
  if (!(out.epsN < out.epsP)) throw new InvalidConfigError('epsN', `must be below epsP (${out.epsP}), got ${out.epsN}`);
  num('tau', 0, 10, true);
  num('temperature', 0, 10, true);
  num('normEps', 0, 1, true);
  if (typeof out.hardNegatives !== 'boolean') throw new InvalidConfigError('hardNegatives', `must be true or false, got ${String(out.hardNegatives)}`);
  if (out.easyNegatives !== 'mean' && out.easyNegatives !== 'trimap') throw new InvalidConfigError('easyNegatives', `must be 'mean' or 'trimap', got ${String(out.easyNegatives)}`);
  const audioIn = c.audio ?? {};
  if (audioIn.embedDim !== undefined && audioIn.embedDim !== out.embedDim) {
    throw new InvalidConfigError('audio.embedDim', `must equal embedDim (${out.embedDim}), got ${audioIn.embedDim}`);
  }
  out.audio = validateAudioConfig({ ...DEFAULT_LVS_CONFIG.audio, ...audioIn, embedDim: out.embedDim });
  return out;
}

/** All trainable parameters: the audio encoder's and the visual projection's. */
export function initLvsParams(config: LvsConfig, seed: number): Params {
  const c = validateLvsConfig(config);
  const p = initAudioParams(c.audio, seed);
  const v = (name: string, t: tf.Tensor) => { p[name] = makeVariable(t); };
  if (c.visualHidden > 0) {
    v('visual/hidden/w', tf.randomNormal([c.visualChannels, c.visualHidden], 0, Math.sqrt(2 / c.visualChannels), 'float32', seed + 1001));
    v('visual/hidden/b', tf.zeros([c.visualHidden]));
    v('visual/proj/w', tf.randomNormal([c.visualHidden, c.embedDim], 0, Math.sqrt(1 / c.visualHidden), 'float32', seed + 1002));
  } else {
    v('visual/proj/w', tf.randomNormal([c.visualChannels, c.embedDim], 0, Math.sqrt(1 / c.visualChannels), 'float32', seed + 1002));
  }
  v('visual/proj/b', tf.zeros([c.embedDim]));
  return p;
}

/** Trunk features [N, h, w, C] -> projected visual map [N, h, w, d]. */
export function projectVisual(params: Params, f: tf.Tensor4D, config: LvsConfig): tf.Tensor4D {
  const [n, h, w, ch] = f.shape;
  if (ch !== config.visualChannels) throw new Error(`projectVisual: features must have ${config.visualChannels} channels, got [${f.shape}]`);
  return tf.tidy(() => {
    let x: tf.Tensor2D = tf.reshape(f, [n * h * w, ch]);
    if (config.visualHidden > 0) x = tf.relu(tf.add(tf.matMul(x, params['visual/hidden/w']), params['visual/hidden/b']));
    const y = tf.add(tf.matMul(x, params['visual/proj/w']), params['visual/proj/b']);
    return tf.reshape(y, [n, h, w, config.embedDim]);
  });
}

function l2normalize(x: tf.Tensor, eps: number): tf.Tensor {
  return tf.div(x, tf.maximum(tf.norm(x, 'euclidean', -1, true), eps));
}

/** Unit vectors: visual [N, hw, d] and audio [N, d]. */
function embeddings(params: Params, f14: tf.Tensor4D, spec: tf.Tensor3D, c: LvsConfig): { vn: tf.Tensor3D; an: tf.Tensor2D; h: number; w: number } {
  if (f14.shape[0] !== spec.shape[0]) throw new Error(`LVS: ${f14.shape[0]} images but ${spec.shape[0]} spectrograms`);
  const [n, h, w] = f14.shape;
  const v = projectVisual(params, f14, c);
  const vn = tf.reshape(l2normalize(v, c.normEps), [n, h * w, c.embedDim]) as tf.Tensor3D;
  const an = l2normalize(audioEncode(params, spec, c.audio), c.normEps) as tf.Tensor2D;
  return { vn, an, h, w };
}

/** S_{i->i}: each clip's sound against its own image, [N, h, w]. The localization map. */
export function lvsLocalize(params: Params, f14: tf.Tensor4D, spec: tf.Tensor3D, config: LvsConfig): tf.Tensor3D {
  const c = validateLvsConfig(config);
  return tf.tidy(() => {
    const { vn, an, h, w } = embeddings(params, f14, spec, c);
    return tf.reshape(tf.sum(tf.mul(vn, tf.expandDims(an, 1)), -1), [f14.shape[0], h, w]);
  });
}

export interface LvsLossParts {
  /** Scalar loss L. */
  loss: tf.Scalar;
  /** Logits [N, 1 + N + 1]: P_i, E_ij for every j (own pair masked to -1e4/T), H_i; before /T removed. */
  logits: tf.Tensor2D;
  /** S_{i->i} [N, hw]. */
  sii: tf.Tensor2D;
}

/**
 * The LVS trimap loss of a batch of k aligned pairs (image features f14[i], spectrogram spec[i]).
 * Returns tensors the caller disposes; inside a gradient closure use `lvsLossValue`.
 */
export function lvsLoss(params: Params, f14: tf.Tensor4D, spec: tf.Tensor3D, config: LvsConfig): LvsLossParts {
  const c = validateLvsConfig(config);
  return tf.tidy(() => {
    const { vn, an } = embeddings(params, f14, spec, c);
    const [k, hw] = [vn.shape[0], vn.shape[1]];
    // S_all[i, j, p] = cos(A_i, V_j,p): [k, k*hw] = [k, d] x [k*hw, d]^T
    const sAll = tf.reshape(tf.matMul(an, tf.reshape(vn, [k * hw, c.embedDim]), false, true), [k, k, hw]);
    const sii = tf.sum(tf.mul(vn, tf.expandDims(an, 1)), -1) as tf.Tensor2D; // [k, hw]
    const safe = (t: tf.Tensor) => tf.maximum(t, 1e-30);
    const mp = tf.sigmoid(tf.div(tf.sub(sii, c.epsP), c.tau));
    const P = tf.div(tf.sum(tf.mul(mp, sii), -1), safe(tf.sum(mp, -1))); // [k]
    let E: tf.Tensor; // [k, k]
    if (c.easyNegatives === 'mean') {
      E = tf.mean(sAll, -1);
    } else {
      const mAll = tf.sigmoid(tf.div(tf.sub(sAll, c.epsP), c.tau));
      E = tf.div(tf.sum(tf.mul(mAll, sAll), -1), safe(tf.sum(mAll, -1)));
    }
    E = tf.sub(E, tf.mul(tf.eye(k), 1e4)); // remove j = i
    const parts: tf.Tensor[] = [tf.expandDims(P, 1), E];
    if (c.hardNegatives) {
      const neg = tf.sub(1, tf.sigmoid(tf.div(tf.sub(sii, c.epsN), c.tau)));
      const H = tf.div(tf.sum(tf.mul(neg, sii), -1), safe(tf.sum(neg, -1)));
      parts.push(tf.expandDims(H, 1));
    }
    const logits = tf.div(tf.concat(parts, 1), c.temperature) as tf.Tensor2D;
    // cross-entropy with the positive at column 0
    const loss = tf.mean(tf.sub(tf.logSumExp(logits, 1), tf.squeeze(tf.slice(logits, [0, 0], [k, 1]), [1]))) as tf.Scalar;
    return { loss, logits, sii };
  });
}

/** The loss alone (for optimizer.minimize / tf.variableGrads). */
export function lvsLossValue(params: Params, f14: tf.Tensor4D, spec: tf.Tensor3D, config: LvsConfig): tf.Scalar {
  const { loss, logits, sii } = lvsLoss(params, f14, spec, config);
  tf.dispose([logits, sii]);
  return loss;
}

// ---- shipped weights -------------------------------------------------------------------------

/** models/<id>/model.json of a parameter-set model (tfjs weights manifest + our config). */
export interface ParamsModelJson {
  format: 'egosound-params/1';
  modelId: string;
  config: LvsConfig;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** Encodes parameters into model.json + weights.bin (tfjs binary weights format). */
export async function serializeParams(modelId: string, params: Params, config: LvsConfig): Promise<{ modelJson: string; weights: Uint8Array }> {
  const named = Object.keys(params).sort().map((name) => ({ name, tensor: params[name] as tf.Tensor }));
  const { data, specs } = await tf.io.encodeWeights(named);
  const json: ParamsModelJson = { format: 'egosound-params/1', modelId, config, weightsManifest: [{ paths: ['weights.bin'], weights: specs }] };
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(await new Blob(data as ArrayBuffer[]).arrayBuffer());
  return { modelJson: JSON.stringify(json, null, 1) + '\n', weights: bytes };
}

/** Decodes model.json + weights.bin into fresh variables (the caller disposes them). */
export function deserializeParams(modelJsonText: string, weights: Uint8Array): { params: Params; config: LvsConfig; modelId: string } {
  const json = JSON.parse(modelJsonText) as ParamsModelJson;
  if (json.format !== 'egosound-params/1') throw new Error(`unknown weights format ${String(json.format)}`);
  const config = validateLvsConfig(json.config);
  const buf = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  const tensors = tf.io.decodeWeights(buf, json.weightsManifest.flatMap((g) => g.weights));
  const params: Params = {};
  for (const [name, t] of Object.entries(tensors)) {
    params[name] = makeVariable(t, false);
  }
  return { params, config, modelId: json.modelId };
}

/** Loads a shipped LVS model after every file matched its sha256 in the manifest. */
export async function loadLvs(manifest: Manifest, id: string, baseUrl: string, opts: { fetcher?: Fetcher; onProgress?: (p: LoadProgress) => void; signal?: AbortSignal } = {}): Promise<{ params: Params; config: LvsConfig; sha256: string }> {
  const entry = manifest.models.find((m) => m.id === id);
  if (!entry) throw new WeightsUnavailableError(id, 'it is not listed in models/manifest.json');
  const files = await fetchVerified(entry, baseUrl, opts);
  const jsonBytes = files.get(`${id}/model.json`);
  const bin = files.get(`${id}/weights.bin`);
  if (!jsonBytes || !bin) throw new WeightsUnavailableError(id, 'the manifest entry lacks model.json or weights.bin');
  const { params, config } = deserializeParams(new TextDecoder().decode(jsonBytes), bin);
  return { params, config, sha256: entry.files.find((f) => f.path.endsWith('weights.bin'))!.sha256 };
}
