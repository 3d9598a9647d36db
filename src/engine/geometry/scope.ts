/**
 * Ownership of opencv.js objects. Every Mat / vector / detector made inside `withCvScope` is
 * registered with `track()` and deleted in `finally`, in reverse order, even when OpenCV throws.
 * Nothing created here outlives the call: results leave as plain JS arrays.
 */
interface Deletable {
  delete(): void;
  isDeleted?: () => boolean;
}

export class CvScope {
  private items: Deletable[] = [];

  track<T extends Deletable>(obj: T): T {
    this.items.push(obj);
    return obj;
  }

  /** Deletes one tracked object early (e.g. a big temporary) and forgets it. */
  release(obj: Deletable): void {
    const i = this.items.lastIndexOf(obj);
    if (i >= 0) this.items.splice(i, 1);
    if (!obj.isDeleted?.()) obj.delete();
  }

  dispose(): void {
    for (let i = this.items.length - 1; i >= 0; i--) {
      const obj = this.items[i];
      try {
        if (!obj.isDeleted?.()) obj.delete();
      } catch {
        /* a double delete must not hide the original error */
      }
    }
    this.items = [];
  }
}

export function withCvScope<T>(fn: (scope: CvScope) => T): T {
  const scope = new CvScope();
  try {
    return fn(scope);
  } finally {
    scope.dispose();
  }
}
