// Counts what Janus itself holds (sessions and plugin handles) through its
// Admin API, so leak tests look at the gateway, not only at the browser.
import WebSocket from 'ws';

function request(ws, body) {
  return new Promise((resolve, reject) => {
    const transaction = Math.random().toString(36).slice(2);
    const onMessage = (data) => {
      const msg = JSON.parse(String(data));
      if (msg.transaction !== transaction) return;
      ws.off('message', onMessage);
      if (msg.janus === 'success') resolve(msg);
      else reject(new Error(`admin ${body.janus}: ${JSON.stringify(msg.error ?? msg)}`));
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ ...body, transaction }));
  });
}

/** @returns {Promise<{ sessions: number, ids: Set<number> }>} The ids of every plugin handle Janus holds. */
export async function janusHandleIds(adminUrl, adminSecret) {
  const ws = new WebSocket(adminUrl, 'janus-admin-protocol');
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  try {
    const { sessions = [] } = await request(ws, { janus: 'list_sessions', admin_secret: adminSecret });
    const ids = new Set();
    for (const session_id of sessions) {
      try {
        const r = await request(ws, { janus: 'list_handles', session_id, admin_secret: adminSecret });
        for (const id of r.handles ?? []) ids.add(id);
      } catch {
        // The session ended between the two requests.
      }
    }
    return { sessions: sessions.length, ids };
  } finally {
    ws.close();
  }
}

/** @returns {Promise<{ sessions: number, handles: number }>} */
export async function countJanusHandles(adminUrl, adminSecret) {
  const { sessions, ids } = await janusHandleIds(adminUrl, adminSecret);
  return { sessions, handles: ids.size };
}
