/**
 * Named errors that tell the user what to do (DESIGN.md #8).
 *
 * Every error the engine raises on purpose is an EgoError subclass with a stable `code` and a
 * `hint` (the action the person can take). Errors cross the worker boundary as plain
 * `{name, code, message, hint, detail}` records (serializeError) and are rebuilt as the same
 * class on the other side (deserializeError), so the UI can tell them apart with instanceof.
 */
export type ErrorCode =
  | 'WEBGPU_UNAVAILABLE'
  | 'NO_BACKEND'
  | 'GPU_DEVICE_LOST'
  | 'EMPTY_FILE'
  | 'NOT_A_VIDEO'
  | 'CORRUPT_MEDIA'
  | 'TRUNCATED_MEDIA'
  | 'UNSUPPORTED_CODEC'
  | 'NO_AUDIO_TRACK'
  | 'NO_VIDEO_TRACK'
  | 'CAMERA_PERMISSION_DENIED'
  | 'NO_CAPTURE_DEVICE'
  | 'CAPTURE_DEVICE_LOST'
  | 'CAPTURE_FAILED'
  | 'CANCELLED'
  | 'INVALID_CONFIG'
  | 'WORKER_CRASHED'
  | 'WEIGHTS_INTEGRITY'
  | 'WEIGHTS_UNAVAILABLE'
  | 'INVALID_LINK'
  | 'REMOTE_CLIP_FAILED'
  | 'MONO_AUDIO'
  | 'INTERNAL';

export class EgoError extends Error {
  readonly code: ErrorCode;
  /** What the person can do about it, one sentence. */
  readonly hint: string;
  /** Optional machine-readable facts (codec name, byte offset...). */
  readonly detail?: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, hint: string, detail?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.hint = hint;
    this.detail = detail;
    // Not new.target.name: minifiers rename classes, and the worker and page bundles would
    // disagree. Codes and class names are one-to-one.
    this.name = NAME_BY_CODE[code] ?? 'EgoError';
  }
}

export class WebGPUUnavailableError extends EgoError {
  constructor(reason: string) {
    super('WEBGPU_UNAVAILABLE', `WebGPU is not available: ${reason}`, 'Use a browser with WebGPU enabled (Chrome/Edge 113+); a slower fallback backend is used meanwhile.', { reason });
  }
}
export class NoBackendError extends EgoError {
  constructor(reasons: Record<string, string>) {
    const list = Object.entries(reasons).map(([b, r]) => `${b}: ${r}`).join('; ');
    super('NO_BACKEND', `No compute backend could start (${list}).`, 'Update your browser or enable hardware acceleration in its settings, then reload the page.', { reasons });
  }
}
export class GpuDeviceLostError extends EgoError {
  constructor(reason: string) {
    super('GPU_DEVICE_LOST', `The GPU device was lost (${reason}).`, 'The engine restarts its GPU backend by itself; if this repeats, close other GPU-heavy tabs or reload.', { reason });
  }
}
export class EmptyFileError extends EgoError {
  constructor(fileName: string) {
    super('EMPTY_FILE', `"${fileName}" is empty (0 bytes).`, 'The copy or download probably failed; get the file again and drop it here.', { fileName });
  }
}
export class NotAVideoError extends EgoError {
  constructor(fileName: string, looksLike: string) {
    super('NOT_A_VIDEO', `"${fileName}" is not a video: it looks like ${looksLike}.`, 'Drop a video file (mp4, webm or mov) instead.', { fileName, looksLike });
  }
}
export class CorruptMediaError extends EgoError {
  constructor(fileName: string, why: string) {
    super('CORRUPT_MEDIA', `"${fileName}" could not be read: ${why}.`, 'The file is damaged; re-export it from its source, or convert it with e.g. `ffmpeg -i in.mp4 -c:v libvpx-vp9 -c:a libopus out.webm`.', { fileName, why });
  }
}
export class TruncatedMediaError extends EgoError {
  constructor(fileName: string, why: string) {
    super('TRUNCATED_MEDIA', `"${fileName}" ends early: ${why}.`, 'The file was cut off (an interrupted copy or download); get the complete file again.', { fileName, why });
  }
}
export class UnsupportedCodecError extends EgoError {
  constructor(fileName: string, codec: string) {
    super('UNSUPPORTED_CODEC', `"${fileName}" uses the ${codec} codec, which this browser cannot decode.`, 'Convert it to H.264 or VP9, e.g. `ffmpeg -i in.mov -c:v libvpx-vp9 -c:a libopus out.webm`, and drop the result.', { fileName, codec });
  }
}
export class NoAudioTrackError extends EgoError {
  constructor(fileName: string) {
    super('NO_AUDIO_TRACK', `"${fileName}" has no audio track.`, 'The video can still be viewed, but sound localization needs audio: use a clip recorded with sound.', { fileName });
  }
}
export class NoVideoTrackError extends EgoError {
  constructor(fileName: string) {
    super('NO_VIDEO_TRACK', `"${fileName}" has no video track (audio only).`, 'Drop a video with pictures; audio-only files cannot show where the sound comes from.', { fileName });
  }
}
export class CameraPermissionDeniedError extends EgoError {
  constructor(what: string) {
    super('CAMERA_PERMISSION_DENIED', `Permission to use the ${what} was denied.`, 'Allow camera and microphone for this site (the icon left of the address bar), then press Start again.', { what });
  }
}
export class NoCaptureDeviceError extends EgoError {
  constructor(what: string) {
    super('NO_CAPTURE_DEVICE', `No ${what} was found.`, 'Plug in a camera and microphone (or pick another one), then press Start again.', { what });
  }
}
export class CaptureDeviceLostError extends EgoError {
  constructor(what: string) {
    super('CAPTURE_DEVICE_LOST', `The ${what} stopped (unplugged or taken by another app).`, 'Reconnect it or choose another device, then press Start again; what was captured so far is kept.', { what });
  }
}
export class CaptureFailedError extends EgoError {
  constructor(why: string) {
    super('CAPTURE_FAILED', `The camera or microphone could not start: ${why}.`, 'Close other apps that use the camera, then press Start again.', { why });
  }
}
export class CancelledError extends EgoError {
  constructor(what = 'the operation') {
    super('CANCELLED', `Cancelled ${what}.`, 'Nothing to do; start it again when you want.', { what });
  }
}
export class InvalidConfigError extends EgoError {
  constructor(key: string, why: string) {
    super('INVALID_CONFIG', `Invalid setting ${key}: ${why}.`, 'Use a value in the allowed range.', { key, why });
  }
}
export class WorkerCrashedError extends EgoError {
  constructor(why: string) {
    super('WORKER_CRASHED', `The engine stopped unexpectedly: ${why}.`, 'Reload the page; your file stays on your machine and can be dropped again.', { why });
  }
}
export class WeightsIntegrityError extends EgoError {
  constructor(file: string, expected: string, got: string) {
    super('WEIGHTS_INTEGRITY', `The model file ${file} does not match its manifest (sha256 ${got.slice(0, 12)}…, expected ${expected.slice(0, 12)}…).`, 'The weights were changed or damaged: restore models/ from the repository (git checkout models/) and reload; nothing was run with them.', { file, expected, got });
  }
}
export class WeightsUnavailableError extends EgoError {
  constructor(file: string, why: string) {
    super('WEIGHTS_UNAVAILABLE', `The model file ${file} could not be loaded: ${why}.`, 'Check that the app was built from a complete checkout (models/ present) and reload.', { file, why });
  }
}
export class InvalidLinkError extends EgoError {
  constructor(problems: string[] | string) {
    const list = Array.isArray(problems) ? problems : [String(problems)];
    super('INVALID_LINK', `This link could not be used: ${list.slice(0, 3).join('; ')}${list.length > 3 ? ` (and ${list.length - 3} more)` : ''}.`, 'The default view is shown instead. Ask for the link again, or copy it whole.', { problems: list });
  }
}
export class MonoAudioError extends EgoError {
  constructor(method: string) {
    super('MONO_AUDIO', `${method} hears where a sound comes from, which takes two channels recorded at the ears; this audio has one (or two identical ones).`, 'Choose another method (paper 000\'s full model works on mono sound), or use a clip recorded in stereo with microphones at the ears.', { method });
  }
}
export class RemoteClipError extends EgoError {
  constructor(url: string, why: string) {
    super('REMOTE_CLIP_FAILED', `The video at ${url} could not be fetched: ${why}.`, 'The site may not allow other pages to load it (CORS), or it may be gone. Download the file and open it here instead.', { url, why });
  }
}
export class InternalError extends EgoError {
  constructor(why: string) {
    super('INTERNAL', `Something went wrong inside egosound: ${why}.`, 'Reload the page; if it happens again, report it with this message.', { why });
  }
}

/** The record an error becomes when it crosses a worker boundary. */
export interface SerializedError {
  name: string;
  code: ErrorCode;
  message: string;
  hint: string;
  detail?: Record<string, unknown>;
}

export const ERROR_CLASSES_BY_NAME = {
  WebGPUUnavailableError, NoBackendError, GpuDeviceLostError, EmptyFileError, NotAVideoError,
  CorruptMediaError, TruncatedMediaError, UnsupportedCodecError, NoAudioTrackError,
  NoVideoTrackError, CameraPermissionDeniedError, NoCaptureDeviceError, CaptureDeviceLostError,
  CaptureFailedError, CancelledError, InvalidConfigError, WorkerCrashedError, WeightsIntegrityError, WeightsUnavailableError,
  InvalidLinkError, RemoteClipError, MonoAudioError, InternalError,
} as const;

const NAME_BY_CODE: Record<ErrorCode, string> = {
  WEBGPU_UNAVAILABLE: 'WebGPUUnavailableError',
  NO_BACKEND: 'NoBackendError',
  GPU_DEVICE_LOST: 'GpuDeviceLostError',
  EMPTY_FILE: 'EmptyFileError',
  NOT_A_VIDEO: 'NotAVideoError',
  CORRUPT_MEDIA: 'CorruptMediaError',
  TRUNCATED_MEDIA: 'TruncatedMediaError',
  UNSUPPORTED_CODEC: 'UnsupportedCodecError',
  NO_AUDIO_TRACK: 'NoAudioTrackError',
  NO_VIDEO_TRACK: 'NoVideoTrackError',
  CAMERA_PERMISSION_DENIED: 'CameraPermissionDeniedError',
  NO_CAPTURE_DEVICE: 'NoCaptureDeviceError',
  CAPTURE_DEVICE_LOST: 'CaptureDeviceLostError',
  CAPTURE_FAILED: 'CaptureFailedError',
  CANCELLED: 'CancelledError',
  INVALID_CONFIG: 'InvalidConfigError',
  WORKER_CRASHED: 'WorkerCrashedError',
  WEIGHTS_INTEGRITY: 'WeightsIntegrityError',
  WEIGHTS_UNAVAILABLE: 'WeightsUnavailableError',
  INVALID_LINK: 'InvalidLinkError',
  REMOTE_CLIP_FAILED: 'RemoteClipError',
  MONO_AUDIO: 'MonoAudioError',
  INTERNAL: 'InternalError',
};

export function serializeError(e: unknown): SerializedError {
  if (e instanceof EgoError) {
    return { name: e.name, code: e.code, message: e.message, hint: e.hint, detail: e.detail };
  }
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return { name: 'InternalError', code: 'INTERNAL', message: `Something went wrong inside egosound: ${message}.`, hint: new InternalError('').hint, detail: { why: message } };
}

/** Rebuilds the same EgoError subclass from its record (instanceof works on the client). */
export function deserializeError(s: SerializedError): EgoError {
  const Cls = (ERROR_CLASSES_BY_NAME as Record<string, unknown>)[s.name] as (new (...a: never[]) => EgoError) | undefined;
  const proto = Cls ? Cls.prototype : EgoError.prototype;
  const err = Object.create(proto) as EgoError;
  // Restore fields without re-running constructors (their arguments are not known here).
  Object.defineProperties(err, {
    message: { value: s.message, writable: true, configurable: true },
    name: { value: Cls ? s.name : 'EgoError', writable: true, configurable: true },
    code: { value: s.code, enumerable: true },
    hint: { value: s.hint, enumerable: true },
    detail: { value: s.detail, enumerable: true },
    stack: { value: `${s.name}: ${s.message}\n    (rebuilt from a worker reply)`, writable: true, configurable: true },
  });
  return err;
}
