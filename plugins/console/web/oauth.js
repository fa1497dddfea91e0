// OAuth apps and grants (docs/api/oauth.md: /v1/oauth_clients, /v1/oauth_grants): the apps
// registered to this workspace and the authorizations its members gave, each with revoke.
import { ApiError, api, confirmAction, errorBox, h, hasScope, loading, notice, pageHeader, replace, session, table, timeCell } from './lib.js';

export async function render(root) {
  const me = session();
  const canManage = hasScope('oauth_clients:manage');
  const status = h('div', { 'aria-live': 'polite' });
  const clientsSlot = h('div', {}, loading('Loading apps…'));
  const clientsPager = h('div', { class: 'pager' });
  const grantsSlot = h('div', {}, loading('Loading authorizations…'));
  const grantsPager = h('div', { class: 'pager' });
  let clients = [];
  let clientsCursor = null;
  let grants = [];
  let grantsCursor = null;
  let emails = new Map();

  root.append(
    pageHeader(
      'OAuth apps',
      'Apps that act for the members of this workspace through OAuth: the apps registered to it, and each authorization a member gave.',
    ),
    status,
    h('section', { 'aria-labelledby': 'grants-title' }, h('h2', { id: 'grants-title' }, 'Authorizations'),
      h('p', { class: 'muted' }, 'Each approval of an app by a member. Revoking one ends that app’s access for that member at once.'),
      grantsSlot, grantsPager),
    h('section', { 'aria-labelledby': 'clients-title' }, h('h2', { id: 'clients-title' }, 'Apps registered to this workspace'),
      h('p', { class: 'muted' }, 'Apps registered with one of this workspace’s credentials. Apps that registered themselves (such as MCP clients) appear only through their authorizations.'),
      clientsSlot, clientsPager),
  );

  async function loadEmails() {
    if (!hasScope('members:read')) return;
    try {
      const users = await api('GET', '/v1/users?limit=500');
      emails = new Map(users.map((u) => [u.user_id, u.email]));
    } catch {
      // the ids are shown instead
    }
  }

  async function loadClients(more = false) {
    try {
      const q = new URLSearchParams({ limit: '100' });
      if (more && clientsCursor) q.set('cursor', clientsCursor);
      const page = await api('GET', `/v1/oauth_clients?${q}`);
      clients = more ? clients.concat(page) : page;
      clientsCursor = page.nextCursor ?? null;
      drawClients();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      replace(clientsSlot, errorBox(err));
    }
  }

  async function loadGrants(more = false) {
    try {
      const q = new URLSearchParams({ limit: '100' });
      if (more && grantsCursor) q.set('cursor', grantsCursor);
      const page = await api('GET', `/v1/oauth_grants?${q}`);
      grants = more ? grants.concat(page) : page;
      grantsCursor = page.nextCursor ?? null;
      drawGrants();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      replace(grantsSlot, errorBox(err));
    }
  }

  const scopeChips = (scope) =>
    h('div', { class: 'chips' }, String(scope ?? '').split(' ').filter(Boolean).map((s) => h('span', { class: 'chip' }, s)));

  function drawClients() {
    replace(
      clientsSlot,
      table(
        [
          { label: 'App', cell: (c) => h('strong', {}, c.client_name || '(no name)') },
          { label: 'Client id', class: 'nowrap', cell: (c) => h('code', {}, c.client_id) },
          {
            label: 'Redirect URIs',
            class: 'wrap',
            cell: (c) => h('div', {}, (c.redirect_uris ?? []).map((u) => h('div', {}, h('code', {}, u)))),
          },
          {
            label: 'Type',
            class: 'nowrap',
            cell: (c) => (c.token_endpoint_auth_method === 'none' ? 'public' : `confidential (${c.token_endpoint_auth_method})`),
          },
          { label: 'Scope', cell: (c) => (c.scope ? scopeChips(c.scope) : h('span', { class: 'muted' }, 'any')) },
          { label: 'Registered', class: 'nowrap', cell: (c) => timeCell(c.created_at) },
          { label: 'Last used', class: 'nowrap', cell: (c) => (c.last_used_at ? timeCell(c.last_used_at) : h('span', { class: 'muted' }, 'never')) },
          canManage
            ? {
                label: 'Actions',
                class: 'nowrap',
                cell: (c) =>
                  h(
                    'button',
                    { type: 'button', class: 'danger-text small', 'aria-label': `Revoke app ${c.client_name || c.client_id}`, onclick: () => revokeClient(c) },
                    'Revoke',
                  ),
              }
            : null,
        ].filter(Boolean),
        clients,
        { caption: 'OAuth apps registered to this workspace', empty: 'No app is registered to this workspace.' },
      ),
    );
    replace(
      clientsPager,
      clientsCursor ? h('button', { type: 'button', class: 'secondary', onclick: () => loadClients(true) }, 'Load more apps') : null,
    );
  }

  function drawGrants() {
    replace(
      grantsSlot,
      table(
        [
          { label: 'App', cell: (g) => h('span', {}, h('strong', {}, g.client_name || '(no name)'), h('div', {}, h('code', { class: 'muted' }, g.client_id))) },
          {
            label: 'Member',
            class: 'nowrap',
            cell: (g) => (g.user_id === me.user?.id ? 'you' : emails.get(g.user_id) ?? h('code', {}, g.user_id ?? '—')),
          },
          { label: 'Scope', cell: (g) => scopeChips(g.scope) },
          { label: 'Approved', class: 'nowrap', cell: (g) => timeCell(g.created_at) },
          { label: 'Grant id', class: 'nowrap', cell: (g) => h('a', { href: `#/audit?credential_id=${encodeURIComponent(g.id)}`, title: 'Its requests in the audit log' }, h('code', {}, g.id)) },
          canManage
            ? {
                label: 'Actions',
                class: 'nowrap',
                cell: (g) =>
                  h(
                    'button',
                    { type: 'button', class: 'danger-text small', 'aria-label': `Revoke the authorization ${g.id} of ${g.client_name || g.client_id}`, onclick: () => revokeGrant(g) },
                    'Revoke',
                  ),
              }
            : null,
        ].filter(Boolean),
        grants,
        { caption: 'OAuth authorizations in this workspace', empty: 'No member has authorized an app in this workspace.' },
      ),
    );
    replace(
      grantsPager,
      grantsCursor ? h('button', { type: 'button', class: 'secondary', onclick: () => loadGrants(true) }, 'Load more authorizations') : null,
    );
  }

  async function revokeClient(c) {
    const ok = await confirmAction(
      `Revoke the app “${c.client_name || c.client_id}”? It is deleted with every authorization and token it holds, in every workspace. The app must register again. This cannot be undone.`,
      { confirmLabel: 'Revoke app', title: 'Revoke this app?' },
    );
    if (!ok) return;
    status.replaceChildren(loading('Revoking the app…'));
    try {
      await api('DELETE', `/v1/oauth_clients/${encodeURIComponent(c.client_id)}`);
      await Promise.all([loadClients(), loadGrants()]);
      status.replaceChildren(notice(`The app “${c.client_name || c.client_id}” was revoked.`, 'success'));
    } catch (err) {
      status.replaceChildren(errorBox(err));
    }
  }

  async function revokeGrant(g) {
    const who = g.user_id === me.user?.id ? 'your' : `${emails.get(g.user_id) ?? g.user_id}’s`;
    const ok = await confirmAction(
      `Revoke ${who} authorization of “${g.client_name || g.client_id}”? Its tokens stop working at once.`,
      { confirmLabel: 'Revoke authorization', title: 'Revoke this authorization?' },
    );
    if (!ok) return;
    status.replaceChildren(loading('Revoking the authorization…'));
    try {
      await api('DELETE', `/v1/oauth_grants/${encodeURIComponent(g.id)}`);
      await loadGrants();
      status.replaceChildren(notice(`The authorization of “${g.client_name || g.client_id}” was revoked.`, 'success'));
    } catch (err) {
      status.replaceChildren(errorBox(err));
    }
  }

  await loadEmails();
  await Promise.all([loadClients(), loadGrants()]);
}
