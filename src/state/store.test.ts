import { describe, it, expect } from 'vitest';
import { createAppStore, createPlayheadStore } from './store';

describe('app store', () => {
  it('slices update independently and stay plain data', () => {
    const s = createAppStore();
    s.getState().setMedia({ phase: 'frames', framesDecoded: 3 });
    s.getState().setLive({ status: 'running' });
    expect(s.getState().media.phase).toBe('frames');
    expect(s.getState().media.framesDecoded).toBe(3);
    expect(s.getState().live.status).toBe('running');
    expect(s.getState().engine.status).toBe('starting');
    // Everything in the state survives structured cloning (no tensors, elements or class instances).
    const data = Object.fromEntries(Object.entries(s.getState()).filter(([, v]) => typeof v !== 'function'));
    expect(structuredClone(data)).toEqual(data);
    s.getState().resetMedia();
    expect(s.getState().media.framesDecoded).toBe(0);
  });

  it('a repeated notice code replaces the old notice; dismiss removes it', () => {
    const s = createAppStore();
    s.getState().notify({ level: 'error', code: 'EMPTY_FILE', title: 'a' });
    const id = s.getState().notify({ level: 'error', code: 'EMPTY_FILE', title: 'b' });
    s.getState().notify({ level: 'warning', title: 'other' });
    expect(s.getState().notices.map((n) => n.title)).toEqual(['b', 'other']);
    s.getState().dismiss(id);
    expect(s.getState().notices).toHaveLength(1);
  });

  it('the playhead store notifies subscribers without touching the app store', () => {
    const app = createAppStore();
    const ph = createPlayheadStore();
    const seen: number[] = [];
    let appChanges = 0;
    app.subscribe(() => appChanges++);
    ph.subscribe((st) => seen.push(st.time));
    ph.setState({ time: 1.5 });
    ph.setState({ time: 2 });
    expect(seen).toEqual([1.5, 2]);
    expect(appChanges).toBe(0);
  });
});
