/**
 * Live capture: webcam + mic into ring buffers of the last N seconds.
 *
 * Frames are sampled at `fps` into a FrameRing (224x224 RGBA, aspect per DecodeConfig); audio is
 * tapped by an AudioWorklet in an AudioContext running at 16 kHz (the browser resamples the mic)
 * into a stereo PcmRing (a mono mic is duplicated). Errors are mapped to named ones: permission
 * denied, no device, device lost (track ended). On loss the rings keep what was captured.
 */
import { FrameRing, PcmRing } from '../../engine/media/ring';
import { fitRects, validateDecode, type DecodeConfig } from '../../engine/media/windows';
import { CameraPermissionDeniedError, CaptureDeviceLostError, CaptureFailedError, NoCaptureDeviceError, type EgoError } from '../../engine/errors';

const WORKLET = `
class PcmTap extends AudioWorkletProcessor {
  process(inputs) {
    const ch = inputs[0];
    if (ch && ch.length) this.port.postMessage(ch.map((c) => c.slice()));
    return true;
  }
}
registerProcessor('egosound-pcm-tap', PcmTap);
`;

export interface LiveOptions { cameraId?: string | null; bufferSec?: number; decode?: Partial<DecodeConfig> }

export function mapCaptureError(e: unknown): EgoError {
  const name = (e as { name?: string })?.name ?? '';
  const msg = (e as { message?: string })?.message ?? String(e);
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') return new CameraPermissionDeniedError('camera and microphone');
  if (name === 'NotFoundError' || name === 'DevicesNotFoundError' || name === 'OverconstrainedError') return new NoCaptureDeviceError('camera or microphone');
  if (name === 'NotReadableError' || name === 'TrackStartError') return new CaptureFailedError('the device is busy or was refused by the system');
  return new CaptureFailedError(msg);
}

export class LiveCapture {
  readonly frames: FrameRing;
  readonly audio: PcmRing;
  readonly video: HTMLVideoElement;
  private stream: MediaStream | null = null;
  private audioCtx: AudioContext | null = null;
  private timer: number | null = null;
  private t0 = 0;
  private readonly cfg: DecodeConfig;
  private readonly canvas: OffscreenCanvas;

  constructor(private readonly opts: LiveOptions, private readonly onLost: (e: EgoError) => void, private readonly onTick: () => void) {
    this.cfg = validateDecode(opts.decode);
    const sec = opts.bufferSec ?? 4;
    this.frames = new FrameRing(Math.max(1, Math.round(sec * this.cfg.fps)), this.cfg.width, this.cfg.height);
    this.audio = new PcmRing(2, Math.round(sec * 16000), 16000);
    this.canvas = new OffscreenCanvas(this.cfg.width, this.cfg.height);
    this.video = document.createElement('video');
    this.video.muted = true;
    this.video.playsInline = true;
  }

  static async listCameras(): Promise<{ id: string; label: string }[]> {
    if (!navigator.mediaDevices?.enumerateDevices) return [];
    const all = await navigator.mediaDevices.enumerateDevices();
    return all.filter((d) => d.kind === 'videoinput').map((d, i) => ({ id: d.deviceId, label: d.label || `Camera ${i + 1}` }));
  }

  get running(): boolean { return this.stream !== null; }
  /** performance.now() (ms) at which ring time 0 was captured: ring time t was captured at epochMs + 1000 t. */
  get epochMs(): number { return this.t0; }
  get mediaStream(): MediaStream | null { return this.stream; }

  async start(): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia) throw new CaptureFailedError('this browser has no camera access (navigator.mediaDevices is missing; the page must be on https or localhost)');
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({
        video: this.opts.cameraId ? { deviceId: { exact: this.opts.cameraId } } : { width: { ideal: 640 }, height: { ideal: 480 } },
        audio: { channelCount: { ideal: 2 }, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
      });
    } catch (e) {
      throw mapCaptureError(e);
    }
    for (const track of this.stream.getTracks()) {
      track.addEventListener('ended', () => {
        if (!this.stream) return;
        this.stop();
        this.onLost(new CaptureDeviceLostError(track.kind === 'video' ? 'camera' : 'microphone'));
      });
    }
    try {
      this.video.srcObject = this.stream;
      await this.video.play();
      await this.startAudio();
    } catch (e) {
      this.stop();
      throw mapCaptureError(e);
    }
    this.t0 = performance.now();
    const period = 1000 / this.cfg.fps;
    this.timer = window.setInterval(() => this.grab(), period);
  }

  private async startAudio(): Promise<void> {
    if (!this.stream || this.stream.getAudioTracks().length === 0) return;
    this.audioCtx = new AudioContext({ sampleRate: 16000 });
    const url = URL.createObjectURL(new Blob([WORKLET], { type: 'text/javascript' }));
    try {
      await this.audioCtx.audioWorklet.addModule(url);
    } finally {
      URL.revokeObjectURL(url);
    }
    const src = this.audioCtx.createMediaStreamSource(this.stream);
    const tap = new AudioWorkletNode(this.audioCtx, 'egosound-pcm-tap', { numberOfInputs: 1, numberOfOutputs: 0 });
    tap.port.onmessage = (e: MessageEvent<Float32Array[]>) => {
      const ch = e.data;
      this.audio.push(ch.length >= 2 ? [ch[0], ch[1]] : [ch[0], ch[0]]);
    };
    src.connect(tap);
    if (this.audioCtx.state === 'suspended') await this.audioCtx.resume();
  }

  private grab(): void {
    const v = this.video;
    if (!this.stream || v.readyState < 2 || !v.videoWidth) return;
    const g = this.canvas.getContext('2d', { willReadFrequently: true });
    if (!g) return;
    const { src, dst } = fitRects(v.videoWidth, v.videoHeight, this.cfg.width, this.cfg.height, this.cfg.aspect);
    g.fillStyle = '#000';
    g.fillRect(0, 0, this.cfg.width, this.cfg.height);
    g.drawImage(v, src[0], src[1], src[2], src[3], dst[0], dst[1], dst[2], dst[3]);
    this.frames.push(g.getImageData(0, 0, this.cfg.width, this.cfg.height).data, (performance.now() - this.t0) / 1000);
    this.onTick();
  }

  /** Stops devices; the rings keep their contents. */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
    this.video.srcObject = null;
    void this.audioCtx?.close().catch(() => undefined);
    this.audioCtx = null;
  }
}
