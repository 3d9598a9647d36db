#!/usr/bin/env python3
"""Native OpenCV (cv2) run of egosound's homography pipeline, for the comparison in
docs/geometry.md. Called by native-compare.ts with a JSON file {cfg, pairs: [{j, i, H}]}; prints
{version, results: [{H (row-major 9, or null on fallback), ms}]}.

Mirrors src/engine/geometry/estimate.ts: texture check, ORB (HARRIS score, FAST threshold from
cfg) over-detected x3 and spread on a grid, brute-force Hamming 2-NN + ratio + mutual check,
USAC_MAGSAC, inlier floor, then ECC on the levels cfg names, accepted under the same rules.
The degeneracy checks of estimate.ts are reduced to finiteness (they never fire on these pairs).
"""
import json
import sys
import time

import cv2
import numpy as np


def spread(kps, w, h, cols, rows, budget):
    if len(kps) <= budget:
        return list(kps)
    order = sorted(range(len(kps)), key=lambda i: -kps[i].response)
    quota = budget // (cols * rows)
    per = [0] * (cols * rows)
    taken = [False] * len(kps)
    out = []
    if quota > 0:
        for i in order:
            k = kps[i]
            cx = min(cols - 1, int(k.pt[0] / w * cols))
            cy = min(rows - 1, int(k.pt[1] / h * rows))
            c = cy * cols + cx
            if per[c] < quota:
                per[c] += 1
                taken[i] = True
                out.append(k)
    for i in order:
        if len(out) >= budget:
            break
        if not taken[i]:
            out.append(kps[i])
    return out


def features(img, cfg):
    h, w = img.shape
    budget = cfg["maxFeatures"] * 3 if cfg["gridCols"] * cfg["gridRows"] > 1 else cfg["maxFeatures"]
    orb = cv2.ORB_create(budget, 1.2, 8, 31, 0, 2, cv2.ORB_HARRIS_SCORE, 31, cfg["fastThreshold"])
    kps = spread(orb.detect(img, None), w, h, cfg["gridCols"], cfg["gridRows"], cfg["maxFeatures"])
    kps, desc = orb.compute(img, kps)
    return kps, desc


def scale_h(H, fw, fh, tw, th):
    s, t = tw / fw, th / fh
    ox, oy = (s - 1) / 2, (t - 1) / 2
    S = np.array([[s, 0, ox], [0, t, oy], [0, 0, 1]])
    Si = np.array([[1 / s, 0, -ox / s], [0, 1 / t, -oy / t], [0, 0, 1]])
    M = S @ H @ Si
    return M / M[2, 2]


def corner_shift(A, B, w, h):
    pts = np.array([[0, 0, 1], [w - 1, 0, 1], [w - 1, h - 1, 1], [0, h - 1, 1]], dtype=np.float64).T
    a = A @ pts
    b = B @ pts
    a = a[:2] / a[2]
    b = b[:2] / b[2]
    return float(np.mean(np.linalg.norm(a - b, axis=0)))


def estimate(imgj, imgi, cfg):
    if imgj.std() < cfg["minTextureStd"] or imgi.std() < cfg["minTextureStd"]:
        return None
    kj, dj = features(imgj, cfg)
    ki, di = features(imgi, cfg)
    if dj is None or di is None or len(kj) < cfg["minMatches"] or len(ki) < cfg["minMatches"]:
        return None
    bf = cv2.BFMatcher(cv2.NORM_HAMMING, False)
    knn = bf.knnMatch(dj, di, k=2)
    back = {m.queryIdx: m.trainIdx for m in bf.match(di, dj)}
    good = [p[0] for p in knn if len(p) == 2 and p[0].distance < cfg["ratio"] * p[1].distance
            and (not cfg["crossCheck"] or back.get(p[0].trainIdx) == p[0].queryIdx)]
    if len(good) < cfg["minMatches"]:
        return None
    src = np.float32([kj[m.queryIdx].pt for m in good]).reshape(-1, 1, 2)
    dst = np.float32([ki[m.trainIdx].pt for m in good]).reshape(-1, 1, 2)
    method = cv2.USAC_MAGSAC if cfg["method"] == "magsac" else cv2.RANSAC
    H, mask = cv2.findHomography(src, dst, method, cfg["reprojThreshold"], maxIters=cfg["maxIters"], confidence=cfg["confidence"])
    if H is None or mask is None or int(mask.sum()) < cfg["minInliers"] or not np.all(np.isfinite(H)):
        return None
    H = H / H[2, 2]
    if cfg["refine"] == "ecc":
        h, w = imgi.shape
        Hij = np.linalg.inv(H)
        crit = (cv2.TERM_CRITERIA_COUNT + cv2.TERM_CRITERIA_EPS, cfg["eccIterations"], 1e-4)
        rho = None
        try:
            for level in range(cfg["eccLevels"], cfg["eccFinestLevel"] - 1, -1):
                f = 1 / (1 << level)
                lw, lh = (round(w * f), round(h * f)) if level > 0 else (w, h)
                tpl = cv2.resize(imgi, (lw, lh), interpolation=cv2.INTER_AREA) if level > 0 else imgi
                inp = cv2.resize(imgj, (lw, lh), interpolation=cv2.INTER_AREA) if level > 0 else imgj
                W = (scale_h(Hij, w, h, lw, lh) if level > 0 else Hij).astype(np.float32)
                rho, W = cv2.findTransformECC(tpl, inp, W, cv2.MOTION_HOMOGRAPHY, crit, None, 5)
                W = W.astype(np.float64)
                Hij = scale_h(W, lw, lh, w, h) if level > 0 else W / W[2, 2]
            R = np.linalg.inv(Hij)
            R = R / R[2, 2]
            if rho is not None and rho >= cfg["minEccCorrelation"] and corner_shift(R, H, w, h) <= cfg["maxRefineShiftPx"]:
                H = R
        except cv2.error:
            pass
    return H


def main():
    job = json.load(open(sys.argv[1]))
    cfg = job["cfg"]
    cv2.setNumThreads(1)  # opencv.js runs single-threaded; compare like with like
    imgs = [(cv2.imread(p["j"], cv2.IMREAD_GRAYSCALE), cv2.imread(p["i"], cv2.IMREAD_GRAYSCALE)) for p in job["pairs"]]
    for j, i in imgs[:3]:
        estimate(j, i, cfg)  # warm-up
    out = []
    for j, i in imgs:
        t0 = time.perf_counter()
        H = estimate(j, i, cfg)
        ms = (time.perf_counter() - t0) * 1000
        out.append({"H": None if H is None else [float(v) for v in H.reshape(-1)], "ms": ms})
    print(json.dumps({"version": cv2.__version__, "results": out}))


if __name__ == "__main__":
    main()
