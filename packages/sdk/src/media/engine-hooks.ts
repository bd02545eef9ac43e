import type { SessionListener } from '../session/session-types.js';
import type { MediaSession } from './media-session.js';

/**
 * An engine's session listener with the media layer told first of what concerns it: the channel
 * left or failed for good (connections closed, remote tracks forgotten), signalling lost (media
 * outages are its to tell until it is back; told after the engine's own callback), a member gone (its
 * tracks Stopped/RemoteOffline) or come (tracks an offer brought before its join event), and the
 * role the server confirmed (publish or stop publishing).
 */
export function withMedia(listener: SessionListener, media: () => MediaSession | undefined): SessionListener {
  return {
    ...listener,
    state: (status, reason) => {
      if (status === 'disconnected' || status === 'failed') media()?.stopped();
      listener.state(status, reason);
      // After the engine told it (it reads whether a media outage was told before this).
      if (status === 'reconnecting') media()?.signalLost();
    },
    userJoined: (uid, elapsed) => {
      listener.userJoined(uid, elapsed);
      media()?.userJoined(uid);
    },
    userOffline: (uid, reason) => {
      media()?.userOffline(uid);
      listener.userOffline(uid, reason);
    },
    roleChanged: (from, to) => {
      listener.roleChanged(from, to);
      media()?.roleChanged(to);
    },
    roleChangeFailed: (code, role) => {
      listener.roleChangeFailed(code, role);
      media()?.roleChanged(role);
    },
  };
}
