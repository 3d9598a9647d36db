import { BackendBadge } from './components/BackendBadge';
import { Notices } from './components/Notices';
import { OpenPanel } from './components/OpenPanel';
import { Player } from './components/Player';
import { AudioView } from './components/AudioView';
import { SeparationView } from './components/SeparationView';
import { ClipPanel } from './components/ClipPanel';
import { LivePanel } from './components/LivePanel';
import { MotionPanel } from './components/MotionPanel';
import { LocalizePanel } from './components/LocalizePanel';
import { SharePanel } from './components/SharePanel';

export function App() {
  return (
    <div className="app">
      <header>
        <h1>egosound</h1>
        <p className="tagline">See which object in a video makes the sound — everything runs in your browser.</p>
        <BackendBadge />
      </header>
      <Notices />
      <main>
        <div className="col-main">
          <Player />
          <AudioView />
          <SeparationView />
          <MotionPanel />
        </div>
        <aside className="col-side">
          <OpenPanel />
          <LocalizePanel />
          <SharePanel />
          <ClipPanel />
          <LivePanel />
        </aside>
      </main>
    </div>
  );
}
