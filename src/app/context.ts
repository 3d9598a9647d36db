import { createContext, useContext, useSyncExternalStore } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { AppState } from '../state/store';
import type { Controller } from './controller';

export interface AppContextValue {
  store: StoreApi<AppState>;
  playhead: StoreApi<{ time: number; playing: boolean }>;
  controller: Controller;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const v = useContext(AppContext);
  if (!v) throw new Error('useApp outside <AppContext.Provider>');
  return v;
}

export function useAppState<T>(selector: (s: AppState) => T): T {
  return useStore(useApp().store, selector);
}

/** Re-renders when the controller's media (analysis, live stream) changes. */
export function useMediaVersion(): number {
  const { controller } = useApp();
  return useSyncExternalStore(
    (fn) => controller.onMedia(() => { version++; fn(); }),
    () => version,
  );
}
let version = 0;
