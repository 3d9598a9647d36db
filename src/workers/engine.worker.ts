/// <reference lib="webworker" />
/** The engine Worker's entry: validates messages and hands them to the dispatcher. */
import { createEngine } from './handlers';
import { isRequest } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const engine = createEngine({ post: (reply, transfer) => scope.postMessage(reply, transfer ?? []) });

scope.onmessage = (e: MessageEvent) => {
  if (!isRequest(e.data)) {
    // Malformed messages are dropped with a note; they cannot carry a reply id.
    console.warn('egosound engine: ignored a malformed message');
    return;
  }
  void engine.onMessage(e.data);
};
