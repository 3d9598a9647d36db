const ns = await import('@techstark/opencv-js'); const cv = ns.default;
await new Promise((res) => { if (cv.Mat) res(); else cv.onRuntimeInitialized = res; });
console.log(Object.keys(cv.findHomography.overloadTable||{}), Object.keys(cv.calcOpticalFlowPyrLK.overloadTable||{}), Object.keys(cv.findHomography1?.overloadTable||{}), cv.findHomography1.length);
console.log(Object.keys(cv).filter(k=>/TermCriteria|^TERM|MOTION_/.test(k)).join(' '));
console.log(Object.keys(cv.goodFeaturesToTrack.overloadTable||{}), Object.keys(cv.GaussianBlur.overloadTable||{}), Object.keys(cv.warpPerspective.overloadTable||{}));
const bf = new cv.BFMatcher(cv.NORM_HAMMING, false); console.log(Object.getOwnPropertyNames(Object.getPrototypeOf(Object.getPrototypeOf(bf))).join(' '));
console.log(Object.keys(cv.Feature2D?.prototype||{}), Object.getOwnPropertyNames(cv.Feature2D.prototype).join(' '));
const kp = new cv.KeyPointVector(); console.log(kp.size());
const m = new cv.Mat(240,320,cv.CV_8U); cv.randu(m, 0, 255); const o=new cv.ORB(500); const d=new cv.Mat(); o.detectAndCompute(m, new cv.Mat(), kp, d); console.log(kp.size(), d.rows, d.cols, JSON.stringify(kp.get(0)));
