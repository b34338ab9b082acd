// One set of Server-Sent Event streams per browser, shared by all its dashboard tabs.
//
// A browser allows six HTTP/1.1 connections per host, so a stream per tab hangs the seventh tab.
// Instead one tab, the leader, elected with the Web Locks API (the lock passes on when it closes),
// holds one EventSource per URL that any visible tab wants and relays every event over a
// BroadcastChannel. Tabs say what they want ("want" messages, refreshed every few seconds);
// hidden tabs want nothing and ignore events (they re-fetch when shown again; `isPaused`/`onPause` let
// pages stop their clocks and polls too). Where Web Locks or
// BroadcastChannel are missing (a plain-http address other than localhost is not a secure
// context), each tab holds its own streams.
//
// A subscription's `reconnected` handler runs whenever its stream is back after a gap that may
// have lost events (the backend restarted or was unreachable, the leader tab changed, the tab was
// hidden): the page re-fetches what it shows. `onConnection` tells whether every stream is live.

const CHANNEL_NAME = 'battlefield-events';
const LEADER_LOCK = 'battlefield-events-leader';
const WANT_REFRESH_MS = 4000;   // followers repeat what they want this often
const WANT_EXPIRY_MS = 12000;   // the leader forgets a tab silent this long (it crashed)
const REOPEN_MS = 2000;         // a stream the browser gave up on is opened again after this
const ENDING_EVENTS = new Set(['end', 'deleted']);   // a one-run stream closes after these

const tabId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
const shared = typeof BroadcastChannel === 'function' && Boolean(navigator.locks);
const channel = shared ? new BroadcastChannel(CHANNEL_NAME) : null;

// ---- every tab: its own subscriptions ----
const subscriptions = new Map();   // subscription id -> {url, handlers, lost, ended}
let nextSubscription = 1;
let isLeader = !shared;
let paused = document.visibilityState === 'hidden';
const connectionListeners = new Set();
const pauseListeners = new Set();
let lastLive = true;

// ---- the leader: the EventSources and what each tab wants ----
const sources = new Map();   // url -> {source, open, reopenTimer}
const wants = new Map();     // tab id -> {subs: [[subscription id, url]], seen}
const endedSubscriptions = new Set();

/** Post a message to every tab, this one included (BroadcastChannel skips the sender). */
function post(message) {
  if (channel) channel.postMessage(message);
  receive(message);
}

function receive(message) {
  switch (message.t) {
    case 'want':
      if (isLeader) {
        wants.set(message.tab, { subs: message.subs, seen: Date.now() });
        reconcile();
      }
      break;
    case 'bye':
      if (isLeader) {
        wants.delete(message.tab);
        reconcile();
      }
      break;
    case 'hello':   // a new leader: events may have been missed meanwhile; say again what we want
      if (message.tab !== tabId) {
        for (const sub of subscriptions.values()) sub.lost = true;
        notifyConnection();
      }
      announce();
      break;
    case 'state':
      for (const sub of subscriptions.values()) {
        if (sub.url !== message.url) continue;
        if (message.open) {
          if (sub.lost && !paused) callHandler(sub, 'reconnected', null, null);
          sub.lost = false;
        } else {
          sub.lost = true;
        }
      }
      notifyConnection();
      break;
    case 'event':
      if (paused) return;
      for (const sub of [...subscriptions.values()]) {
        if (sub.url === message.url && !sub.ended) callHandler(sub, message.type, message.data, message.id);
      }
      break;
    default:
  }
}

function callHandler(sub, type, text, id) {
  const handler = sub.handlers[type];
  if (!handler) return;
  let data = null;
  if (text !== null) {
    try {
      data = JSON.parse(text);
    } catch {
      return;
    }
  }
  try {
    handler(data, { type, lastEventId: id });
  } catch (err) {
    console.error(err);
  }
}

/** Tell the leader which streams this tab wants now (nothing while hidden). */
function announce() {
  const subs = paused ? [] : [...subscriptions.entries()].filter(([, s]) => !s.ended).map(([id, s]) => [id, s.url]);
  post({ t: 'want', tab: tabId, subs });
}

/** Leader: open the streams some tab wants, close the ones nobody wants. */
function reconcile() {
  const now = Date.now();
  const wanted = new Set();
  for (const [tab, entry] of wants) {
    if (tab !== tabId && now - entry.seen > WANT_EXPIRY_MS) {
      wants.delete(tab);
      continue;
    }
    for (const [id, url] of entry.subs) if (!endedSubscriptions.has(id)) wanted.add(url);
  }
  for (const [url, entry] of sources) {
    if (!wanted.has(url)) {
      closeSource(entry);
      sources.delete(url);
    }
  }
  for (const url of wanted) if (!sources.has(url)) openSource(url);
}

function closeSource(entry) {
  clearTimeout(entry.reopenTimer);
  entry.source?.close();
  entry.source = null;
}

function openSource(url) {
  const entry = sources.get(url) || { source: null, open: false, reopenTimer: null };
  sources.set(url, entry);
  const source = new EventSource(url);
  entry.source = source;
  source.addEventListener('open', () => {
    entry.open = true;
    post({ t: 'state', url, open: true });
  });
  source.addEventListener('error', () => {
    entry.open = false;
    post({ t: 'state', url, open: false });
    if (source.readyState === EventSource.CLOSED && sources.get(url) === entry) {
      // The browser gave up (an error status, say): try again ourselves.
      clearTimeout(entry.reopenTimer);
      entry.reopenTimer = setTimeout(() => {
        if (sources.get(url) === entry && entry.source === source) openSource(url);
      }, REOPEN_MS);
    }
  });
  for (const type of relayedTypes()) listen(entry, source, url, type);
}

// Every event type any page asked for, so the leader relays them all (pages ask by handler name).
const knownTypes = new Set(['status', 'progress', 'epoch', 'end', 'deleted', 'snapshot']);
function relayedTypes() {
  return knownTypes;
}

function listen(entry, source, url, type) {
  source.addEventListener(type, (event) => {
    post({ t: 'event', url, type, data: event.data, id: event.lastEventId });
    if (ENDING_EVENTS.has(type) && !url.startsWith('/api/events')) {
      // A one-run stream ends here: close it before the browser reconnects, and only reopen it for
      // a subscription made later.
      for (const entryOfTab of wants.values()) {
        for (const [id, wantedUrl] of entryOfTab.subs) if (wantedUrl === url) endedSubscriptions.add(id);
      }
      closeSource(entry);
      sources.delete(url);
    }
  });
}

function notifyConnection() {
  const live = isLive();
  if (live === lastLive) return;
  lastLive = live;
  for (const listener of connectionListeners) listener(live);
}

/** True unless one of this tab's streams is cut off (the backend unreachable or restarting). */
export function isLive() {
  for (const sub of subscriptions.values()) if (sub.lost && !sub.ended && !paused) return false;
  return true;
}

/** True while this tab is hidden: its streams deliver nothing, and pages stop their clocks and polls. */
export function isPaused() {
  return paused;
}

/** Call `listener(paused)` when the tab is hidden (true) or shown again (false); returns the unsubscribe. */
export function onPause(listener) {
  pauseListeners.add(listener);
  return () => pauseListeners.delete(listener);
}

/** Call `listener(live)` whenever this tab's streams go from live to cut off or back. */
export function onConnection(listener) {
  connectionListeners.add(listener);
  return () => connectionListeners.delete(listener);
}

/**
 * Subscribe to the stream at `url` with handlers by event type ({status: fn, end: fn, ...}), each
 * given the parsed JSON data, plus `reconnected()` for when the stream is back after a gap.
 * Returns {close()}.
 */
export function subscribe(url, handlers) {
  const id = `${tabId}:${nextSubscription++}`;
  const sub = { url, handlers, lost: false, ended: false };
  subscriptions.set(id, sub);
  for (const type of Object.keys(handlers)) {
    if (type !== 'reconnected' && !knownTypes.has(type)) {
      knownTypes.add(type);
      if (isLeader) for (const [sourceUrl, entry] of sources) if (entry.source) listen(entry, entry.source, sourceUrl, type);
    }
  }
  announce();
  return {
    close() {
      if (!subscriptions.delete(id)) return;
      announce();
      notifyConnection();
    },
  };
}

// ---- lifecycle: leadership, visibility, refresh ----
if (shared) {
  navigator.locks.request(LEADER_LOCK, () => {
    isLeader = true;
    post({ t: 'hello', tab: tabId });
    return new Promise(() => {});   // held until this tab closes; then the next tab in line leads
  }).catch(() => {});
  channel.addEventListener('message', (event) => receive(event.data));
  setInterval(() => {
    announce();
    if (isLeader) reconcile();
  }, WANT_REFRESH_MS);
  window.addEventListener('pagehide', () => channel.postMessage({ t: 'bye', tab: tabId }));
}

document.addEventListener('visibilitychange', () => {
  const hidden = document.visibilityState === 'hidden';
  if (hidden === paused) return;
  paused = hidden;
  announce();
  if (!paused) {
    // Events were ignored while hidden: every subscription re-fetches what it shows.
    for (const sub of subscriptions.values()) if (!sub.ended) callHandler(sub, 'reconnected', null, null);
  }
  notifyConnection();
  for (const listener of pauseListeners) {
    try {
      listener(paused);
    } catch (err) {
      console.error(err);
    }
  }
});
