/**
 * Head-mounted camera model and its exact plane-induced homographies.
 *
 * World frame: X right, Y down, Z forward (metres). Camera at time t has centre c(t), rotation
 * R(t) = Rz(roll) Rx(pitch) Ry(yaw) (world -> camera) and intrinsics K(t) = [[f,0,cx],[0,f,cy],
 * [0,0,1]] with cx = (W-1)/2, cy = (H-1)/2: pixel centres sit at integer coordinates (OpenCV
 * convention), x right, y down.
 *
 * A textured plane at depth Z (normal along world Z) maps texel (u, v) to the world point
 * (X0 + s u, Y0 + s v, Z); its image is p ~ K R ([X, Y, Z] - c) = K R A [u, v, 1]^T with
 * A = [[s, 0, X0 - cx], [0, s, Y0 - cy], [0, 0, Z - cz]]: an exact homography for every frame.
 * The background is such a plane, so frame -> next-frame homographies are H(t+1) H(t)^-1 exactly;
 * near objects are planes at their own depths and show true parallax when the head translates.
 *
 * The trajectory imitates a walking, looking-around head: slow random sinusoids for yaw, pitch,
 * roll and focal length, an occasional smooth head turn, step-locked bob and sway, and a slow
 * forward drift. `magnitude` scales all of it (0 = static camera).
 */
import { type Mat3, type Vec3, mul, rotX, rotY, rotZ, mulVec, inv, apply } from './mat3.ts';
import { Rng } from './rng.ts';

export interface Pose {
  yaw: number; // rad
  pitch: number;
  roll: number;
  f: number; // px
  c: Vec3; // m
}

interface Wave { amp: number; freq: number; phase: number }

export interface TrajectoryParams {
  magnitude: number;
  f0: number;
  yaw: Wave[];
  pitch: Wave[];
  roll: Wave[];
  zoom: Wave[];
  turn: { amount: number; start: number; duration: number } | null;
  stepFreq: number;
  bob: number; // m
  sway: number; // m
  forward: number; // m/s
  yaw0: number;
  pitch0: number;
  roll0: number;
}

const DEG = Math.PI / 180;

function waves(rng: Rng, n: number, ampLo: number, ampHi: number, fLo: number, fHi: number): Wave[] {
  return Array.from({ length: n }, () => ({
    amp: rng.uniform(ampLo, ampHi) * (rng.chance(0.5) ? 1 : -1),
    freq: rng.uniform(fLo, fHi),
    phase: rng.uniform(0, 2 * Math.PI),
  }));
}

function sumWaves(ws: Wave[], t: number): number {
  let s = 0;
  for (const w of ws) s += w.amp * Math.sin(2 * Math.PI * w.freq * t + w.phase);
  return s;
}

export function sampleTrajectory(rng: Rng, magnitude: number, f0: number, seconds: number, nearObjects: boolean): TrajectoryParams {
  const turn = rng.chance(0.5)
    ? { amount: rng.uniform(10, 30) * DEG * (rng.chance(0.5) ? 1 : -1), start: rng.uniform(0, seconds * 0.6), duration: rng.uniform(0.6, 1.6) }
    : null;
  return {
    magnitude,
    f0,
    yaw: waves(rng, 2, 2 * DEG, 8 * DEG, 0.05, 0.35),
    pitch: waves(rng, 2, 1 * DEG, 4 * DEG, 0.08, 0.4),
    roll: waves(rng, 1, 1 * DEG, 4 * DEG, 0.05, 0.3),
    zoom: waves(rng, 1, 0.02, 0.08, 0.05, 0.25),
    turn,
    stepFreq: rng.uniform(1.6, 2.2),
    bob: rng.uniform(0.005, 0.02),
    sway: rng.uniform(0.003, 0.015),
    forward: nearObjects ? rng.uniform(0, 0.03) : rng.uniform(0, 0.15),
    yaw0: rng.uniform(-3, 3) * DEG,
    pitch0: rng.uniform(-3, 3) * DEG,
    roll0: rng.uniform(-2, 2) * DEG,
  };
}

function smoothstep(x: number): number {
  const u = Math.min(1, Math.max(0, x));
  return u * u * (3 - 2 * u);
}

export function poseAt(p: TrajectoryParams, t: number): Pose {
  const m = p.magnitude;
  const step = 2 * Math.PI * p.stepFreq * t;
  let yaw = p.yaw0 + m * sumWaves(p.yaw, t);
  if (p.turn) yaw += m * p.turn.amount * smoothstep((t - p.turn.start) / p.turn.duration);
  const pitch = p.pitch0 + m * (sumWaves(p.pitch, t) + 0.4 * DEG * Math.sin(step));
  const roll = p.roll0 + m * (sumWaves(p.roll, t) + 0.6 * DEG * Math.sin(step / 2));
  const f = p.f0 * (1 + m * sumWaves(p.zoom, t));
  const c: Vec3 = [m * p.sway * Math.sin(step / 2), m * p.bob * Math.sin(step), m * p.forward * t];
  return { yaw, pitch, roll, f, c };
}

export function rotation(pose: Pose): Mat3 {
  return mul(rotZ(pose.roll), mul(rotX(pose.pitch), rotY(pose.yaw)));
}

export function intrinsics(f: number, width: number, height: number): Mat3 {
  return [f, 0, (width - 1) / 2, 0, f, (height - 1) / 2, 0, 0, 1];
}

/** Homography texel (u, v) -> pixel for a plane at depth z whose texel (0,0) sits at world (x0, y0), texel size s (m). */
export function planeHomography(pose: Pose, width: number, height: number, plane: { x0: number; y0: number; z: number; s: number; sy?: number }): Mat3 {
  const K = intrinsics(pose.f, width, height);
  const R = rotation(pose);
  const A: Mat3 = [plane.s, 0, plane.x0 - pose.c[0], 0, plane.sy ?? plane.s, plane.y0 - pose.c[1], 0, 0, plane.z - pose.c[2]];
  return mul(K, mul(R, A));
}

/** World point -> camera frame coordinates. */
export function toCamera(pose: Pose, p: Vec3): Vec3 {
  return mulVec(rotation(pose), [p[0] - pose.c[0], p[1] - pose.c[1], p[2] - pose.c[2]]);
}

/**
 * Direction of a world point as the listener's head hears it: azimuth in degrees, positive to
 * the LEFT (SOFA / sofalizer convention), elevation positive UP.
 */
export function directionOf(pose: Pose, p: Vec3): { azimuth: number; elevation: number; distance: number } {
  const d = toCamera(pose, p);
  return {
    azimuth: Math.atan2(-d[0], d[2]) / DEG,
    elevation: Math.atan2(-d[1], Math.hypot(d[0], d[2])) / DEG,
    distance: Math.hypot(d[0], d[1], d[2]),
  };
}

/** World point on the plane Z = z seen at pixel (x, y). */
export function backProject(pose: Pose, width: number, height: number, x: number, y: number, z: number): Vec3 {
  const H = planeHomography(pose, width, height, { x0: 0, y0: 0, z, s: 1 });
  const [X, Y] = apply(inv(H), x, y);
  return [X, Y, z];
}

/** Mean displacement (px) of the four image corners under a homography: a motion magnitude figure. */
export function cornerMotion(H: Mat3, width: number, height: number): number {
  let s = 0;
  for (const [x, y] of [[0, 0], [width - 1, 0], [0, height - 1], [width - 1, height - 1]]) {
    const [u, v] = apply(H, x, y);
    s += Math.hypot(u - x, v - y);
  }
  return s / 4;
}
