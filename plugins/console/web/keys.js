// API keys (docs/api/auth.md: /v1/api_keys): list with prefix, scopes, last used, expiry and
// state; create with a scope picker limited to what the session holds; the plaintext shown once;
// rotate with a grace period; revoke with confirmation.
import {
  ApiError,
  api,
  confirmAction,
  copyButton,
  errorBox,
  field,
  h,
  hasScope,
  loading,
  notice,
  onLeave,
  pageHeader,
  replace,
  session,
  table,
  timeCell,
  uid,
} from './lib.js';

const GRACE_MAX_HOURS = 168;

export async function render(root) {
  const me = session();
  const canManage = hasScope('keys:manage');
  // The plaintext of a new key lives only in this panel: it goes with the page.
  const secretSlot = h('div', { class: 'secret-slot' });
  const formSlot = h('div', {});
  const status = h('div', { 'aria-live': 'polite' });
  const listSlot = h('div', {}, loading('Loading keys…'));
  const pagerSlot = h('div', { class: 'pager' });
  let rows = [];
  let nextCursor = null;
  let emails = new Map();
  onLeave(() => {
    secretSlot.replaceChildren();
  });

  const createButton = canManage
    ? h('button', { type: 'button', 'aria-expanded': 'false', onclick: () => toggleForm() }, 'Create key')
    : null;

  root.append(
    pageHeader(
      'API keys',
      'Keys let scripts, servers and tools call the API as you. A key never does more than your role allows.',
      createButton,
    ),
    secretSlot,
    formSlot,
    status,
    h('h2', { class: 'visually-hidden' }, 'Keys'),
    listSlot,
    pagerSlot,
  );

  function toggleForm(open = formSlot.childElementCount === 0) {
    if (!open) {
      formSlot.replaceChildren();
      createButton?.setAttribute('aria-expanded', 'false');
      return;
    }
    formSlot.replaceChildren(createForm());
    createButton?.setAttribute('aria-expanded', 'true');
    formSlot.querySelector('input')?.focus();
  }

  function createForm() {
    const name = h('input', { type: 'text', name: 'name', required: true, maxlength: '200', autocomplete: 'off' });
    const environment = h(
      'select',
      { name: 'environment' },
      h('option', { value: 'live' }, 'live (ak_live_…)'),
      h('option', { value: 'test' }, 'test (ak_test_…)'),
    );
    const expires = h('input', { type: 'datetime-local', name: 'expires_at' });
    const scopes = [...(me.scopes ?? [])].sort();
    const boxes = scopes.map((scope) => h('input', { type: 'checkbox', name: 'scope', value: scope, id: uid('scope') }));
    const legendId = uid('legend');
    const scopeSet = h(
      'fieldset',
      { 'aria-describedby': `${legendId}-hint` },
      h('legend', { id: legendId }, 'Scopes'),
      h('div', { class: 'hint', id: `${legendId}-hint` }, 'Only the scopes you hold can be given to a key.'),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'link', onclick: () => boxes.forEach((b) => (b.checked = true)) }, 'Select all'),
        h('button', { type: 'button', class: 'link', onclick: () => boxes.forEach((b) => (b.checked = false)) }, 'Select none'),
      ),
      h(
        'div',
        { class: 'check-grid' },
        boxes.map((b) => h('label', { class: 'check', for: b.id }, b, h('code', {}, b.value))),
      ),
    );
    const formStatus = h('div', { 'aria-live': 'polite' });
    const submit = h('button', { type: 'submit' }, 'Create key');
    const form = h(
      'form',
      {
        class: 'panel',
        'aria-label': 'Create an API key',
        novalidate: true,
        onsubmit: async (event) => {
          event.preventDefault();
          const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
          name.removeAttribute('aria-invalid');
          if (!name.value.trim()) {
            name.setAttribute('aria-invalid', 'true');
            formStatus.replaceChildren(notice('Give the key a name.', 'error'));
            name.focus();
            return;
          }
          if (chosen.length === 0) {
            formStatus.replaceChildren(notice('Pick at least one scope.', 'error'));
            boxes[0]?.focus();
            return;
          }
          const body = { name: name.value.trim(), scopes: chosen, environment: environment.value };
          if (expires.value) {
            const at = new Date(expires.value);
            if (Number.isNaN(at.getTime())) {
              formStatus.replaceChildren(notice('The expiry is not a valid time.', 'error'));
              return;
            }
            body.expires_at = at.toISOString();
          }
          submit.disabled = true;
          formStatus.replaceChildren(loading('Creating the key…'));
          try {
            const key = await api('POST', '/v1/api_keys', body);
            toggleForm(false);
            showSecret(key, `Key “${key.name}” created.`);
            await load();
          } catch (err) {
            submit.disabled = false;
            formStatus.replaceChildren(errorBox(err));
          }
        },
      },
      h('h2', {}, 'Create a key'),
      h(
        'div',
        { class: 'form-grid' },
        field('Name', name, 'What the key is for, e.g. “CI deploys”.'),
        field('Environment', environment),
        field('Expires (optional)', expires, 'Your local time. Empty: the key does not expire.'),
      ),
      scopeSet,
      formStatus,
      h(
        'div',
        { class: 'actions' },
        submit,
        h('button', { type: 'button', class: 'secondary', onclick: () => toggleForm(false) }, 'Cancel'),
      ),
    );
    return form;
  }

  function showSecret(key, headline) {
    const dismiss = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        onclick: () => {
          secretSlot.replaceChildren();
          createButton?.focus();
        },
      },
      'Done, I have stored it',
    );
    const panel = h(
      'section',
      { class: 'panel highlight', 'aria-labelledby': 'new-key-title', role: 'region' },
      h('h2', { id: 'new-key-title', tabindex: '-1' }, headline),
      h(
        'p',
        {},
        h('strong', {}, 'Copy this key now: you will not see it again. '),
        'Store it where your program can read it; ambit keeps only a hash of it.',
      ),
      h('code', { class: 'secret-value', 'data-secret': 'api-key', 'aria-label': 'The new API key' }, key.key),
      key.previous_key_expires_at
        ? h('p', {}, 'The previous key works until ', timeCell(key.previous_key_expires_at), '.')
        : null,
      h('div', { class: 'actions' }, copyButton(key.key, 'Copy key'), dismiss),
    );
    secretSlot.replaceChildren(panel);
    panel.querySelector('h2').focus();
  }

  async function load(more = false) {
    if (!more) {
      rows = [];
      nextCursor = null;
    }
    try {
      const query = new URLSearchParams({ limit: '100' });
      if (more && nextCursor) query.set('cursor', nextCursor);
      const [page, members] = await Promise.all([
        api('GET', `/v1/api_keys?${query}`),
        !more && hasScope('members:read') && hasScope('members:manage') ? loadEmails() : null,
      ]);
      if (members) emails = members;
      rows = rows.concat(page);
      nextCursor = page.nextCursor ?? null;
      draw();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      replace(listSlot, errorBox(err));
      pagerSlot.replaceChildren();
    }
  }

  async function loadEmails() {
    try {
      const users = await api('GET', '/v1/users?limit=500');
      return new Map(users.map((u) => [u.user_id, u.email]));
    } catch {
      return null;
    }
  }

  function owner(row) {
    if (row.user_id === me.user?.id) return h('span', {}, 'you');
    return h('span', { class: 'mono' }, emails.get(row.user_id) ?? row.user_id ?? '—');
  }

  function draw() {
    const showOwner = rows.some((r) => r.user_id !== me.user?.id);
    const columns = [
      {
        label: 'Name',
        cell: (k) => h('span', {}, k.name, k.is_test ? h('span', { class: 'badge info' }, ' test') : null),
      },
      { label: 'Prefix', class: 'nowrap', cell: (k) => h('code', {}, `${k.key_prefix}…`) },
      showOwner ? { label: 'Owner', cell: owner } : null,
      {
        label: 'Scopes',
        cell: (k) =>
          h(
            'div',
            { class: 'chips' },
            (k.scopes ?? []).map((s) => h('span', { class: 'chip' }, s)),
            k.scope_mode === 'legacy' ? h('span', { class: 'badge warn' }, 'legacy') : null,
          ),
      },
      { label: 'Last used', class: 'nowrap', cell: (k) => (k.last_used_at ? timeCell(k.last_used_at) : h('span', { class: 'muted' }, 'never')) },
      { label: 'Expires', class: 'nowrap', cell: (k) => (k.expires_at ? timeCell(k.expires_at) : h('span', { class: 'muted' }, 'never')) },
      { label: 'Created', class: 'nowrap', cell: (k) => timeCell(k.created_at) },
      { label: 'State', class: 'nowrap', cell: stateCell },
      canManage ? { label: 'Actions', class: 'nowrap', cell: actionsCell } : null,
    ].filter(Boolean);
    replace(
      listSlot,
      table(columns, rows, {
        caption: 'API keys',
        empty: canManage ? 'No keys yet. Create one to call the API from a script or a server.' : 'No keys yet.',
      }),
    );
    replace(
      pagerSlot,
      nextCursor
        ? h('button', { type: 'button', class: 'secondary', onclick: () => load(true) }, 'Load more keys')
        : null,
    );
  }

  function stateOf(k) {
    const now = Date.now();
    if (k.revoked) return k.rotated_to ? 'rotated' : 'revoked';
    if (k.expires_at && Date.parse(k.expires_at) <= now) return 'expired';
    if (k.rotated_to) return 'grace';
    return 'active';
  }

  function stateCell(k) {
    switch (stateOf(k)) {
      case 'revoked':
        return h('span', { class: 'badge bad', title: k.revoked_at ?? '' }, 'Revoked');
      case 'rotated':
        return h('span', { class: 'badge bad' }, 'Rotated');
      case 'expired':
        return h('span', { class: 'badge bad' }, 'Expired');
      case 'grace':
        return h('span', {}, h('span', { class: 'badge warn' }, 'Rotated'), ' stops ', timeCell(k.revoked_at));
      default:
        return h('span', { class: 'badge ok' }, 'Active');
    }
  }

  function actionsCell(k) {
    const state = stateOf(k);
    if (state !== 'active' && state !== 'grace') return h('span', { class: 'muted' }, '—');
    const own = k.user_id === me.user?.id;
    return h(
      'div',
      { class: 'row-actions' },
      own && state === 'active'
        ? h('button', { type: 'button', class: 'secondary small', 'aria-label': `Rotate ${k.name}`, onclick: () => rotate(k) }, 'Rotate')
        : null,
      h('button', { type: 'button', class: 'danger-text small', 'aria-label': `Revoke ${k.name}`, onclick: () => revoke(k) }, 'Revoke'),
    );
  }

  async function revoke(k) {
    const ok = await confirmAction(
      `Revoke “${k.name}” (${k.key_prefix}…)? Every program using it is refused from now on. This cannot be undone.`,
      { confirmLabel: 'Revoke key', title: 'Revoke this key?' },
    );
    if (!ok) return;
    status.replaceChildren(loading('Revoking…'));
    try {
      await api('DELETE', `/v1/api_keys/${encodeURIComponent(k.id)}`);
      await load();
      status.replaceChildren(notice(`Key “${k.name}” (${k.key_prefix}…) revoked.`, 'success'));
    } catch (err) {
      status.replaceChildren(errorBox(err));
    }
  }

  function rotate(k) {
    const hours = h('input', { type: 'number', min: '0', max: String(GRACE_MAX_HOURS), step: '1', value: '24', inputmode: 'numeric' });
    const formStatus = h('div', { 'aria-live': 'polite' });
    const submit = h('button', { type: 'submit' }, 'Rotate key');
    const form = h(
      'form',
      {
        class: 'panel',
        'aria-label': `Rotate ${k.name}`,
        onsubmit: async (event) => {
          event.preventDefault();
          const n = Number(hours.value);
          if (!Number.isInteger(n) || n < 0 || n > GRACE_MAX_HOURS) {
            hours.setAttribute('aria-invalid', 'true');
            formStatus.replaceChildren(notice(`The grace period is a whole number of hours from 0 to ${GRACE_MAX_HOURS}.`, 'error'));
            hours.focus();
            return;
          }
          submit.disabled = true;
          formStatus.replaceChildren(loading('Rotating…'));
          try {
            const key = await api('POST', `/v1/api_keys/${encodeURIComponent(k.id)}/rotate`, { grace_period_hours: n });
            formSlot.replaceChildren();
            showSecret(key, `Key “${key.name}” rotated.`);
            await load();
          } catch (err) {
            submit.disabled = false;
            formStatus.replaceChildren(errorBox(err));
          }
        },
      },
      h('h2', {}, `Rotate “${k.name}”`),
      h('p', {}, 'A new key replaces ', h('code', {}, `${k.key_prefix}…`), ' with the same name, scopes and expiry.'),
      field('Grace period (hours)', hours, `How long the old key keeps working: 0 stops it now, at most ${GRACE_MAX_HOURS}.`),
      formStatus,
      h(
        'div',
        { class: 'actions' },
        submit,
        h('button', { type: 'button', class: 'secondary', onclick: () => formSlot.replaceChildren() }, 'Cancel'),
      ),
    );
    createButton?.setAttribute('aria-expanded', 'false');
    formSlot.replaceChildren(form);
    hours.focus();
  }

  await load();
}
