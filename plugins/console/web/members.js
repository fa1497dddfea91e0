// Members (docs/api/auth.md: /v1/users, /v1/invitations): the workspace's members with their
// roles (change, remove), invitations by email and role (the link shown once), and the
// invitations still out (revoke).
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
} from './lib.js';

const ROLES = ['viewer', 'editor', 'admin', 'owner'];

export async function render(root) {
  const me = session();
  const canManage = hasScope('members:manage');
  const myRank = ROLES.indexOf(me.role);
  const offerable = ROLES.filter((_, i) => i <= myRank);

  const linkSlot = h('div', {});
  const formSlot = h('div', {});
  const status = h('div', { 'aria-live': 'polite' });
  const membersSlot = h('div', {}, loading('Loading members…'));
  const membersPager = h('div', { class: 'pager' });
  const invitesSlot = h('div', {});
  const invitesPager = h('div', { class: 'pager' });
  let members = [];
  let membersCursor = null;
  let invites = [];
  let invitesCursor = null;
  onLeave(() => linkSlot.replaceChildren());

  const inviteButton = canManage
    ? h('button', { type: 'button', 'aria-expanded': 'false', onclick: () => toggleInvite() }, 'Invite member')
    : null;

  root.append(
    pageHeader('Members', 'People in this workspace and what their role lets them do.', inviteButton),
    linkSlot,
    formSlot,
    status,
    h('h2', {}, 'Members'),
    membersSlot,
    membersPager,
    canManage || hasScope('members:read') ? h('h2', {}, 'Invitations') : null,
    invitesSlot,
    invitesPager,
  );

  function toggleInvite(open = formSlot.childElementCount === 0) {
    if (!open) {
      formSlot.replaceChildren();
      inviteButton?.setAttribute('aria-expanded', 'false');
      return;
    }
    const email = h('input', { type: 'email', name: 'email', required: true, maxlength: '254', autocomplete: 'off' });
    const role = h(
      'select',
      { name: 'role' },
      offerable.map((r) => h('option', { value: r, selected: r === 'viewer' }, r)),
    );
    const formStatus = h('div', { 'aria-live': 'polite' });
    const submit = h('button', { type: 'submit' }, 'Send invitation');
    const form = h(
      'form',
      {
        class: 'panel',
        'aria-label': 'Invite a member',
        novalidate: true,
        onsubmit: async (event) => {
          event.preventDefault();
          if (!email.value.trim()) {
            email.setAttribute('aria-invalid', 'true');
            formStatus.replaceChildren(notice('Enter an email address.', 'error'));
            email.focus();
            return;
          }
          submit.disabled = true;
          formStatus.replaceChildren(loading('Inviting…'));
          try {
            const inv = await api('POST', '/v1/invitations', { email: email.value.trim(), role: role.value });
            toggleInvite(false);
            showLink(inv);
            await loadInvites();
          } catch (err) {
            submit.disabled = false;
            formStatus.replaceChildren(errorBox(err));
          }
        },
      },
      h('h2', {}, 'Invite a member'),
      h('p', { class: 'muted' }, 'ambit sends no email: you get a link to give to the person. They choose their own password.'),
      h('div', { class: 'form-grid' }, field('Email', email), field('Role', role, 'At most your own role.')),
      formStatus,
      h(
        'div',
        { class: 'actions' },
        submit,
        h('button', { type: 'button', class: 'secondary', onclick: () => toggleInvite(false) }, 'Cancel'),
      ),
    );
    formSlot.replaceChildren(form);
    inviteButton?.setAttribute('aria-expanded', 'true');
    email.focus();
  }

  function showLink(inv) {
    const panel = h(
      'section',
      { class: 'panel highlight', role: 'region', 'aria-labelledby': 'invite-title' },
      h('h2', { id: 'invite-title', tabindex: '-1' }, `Invitation for ${inv.email} (${inv.role})`),
      h(
        'p',
        {},
        h('strong', {}, 'Copy this link now: you will not see it again. '),
        'Give it to the person; it works once, until ',
        timeCell(inv.expires_at),
        '.',
      ),
      h('code', { class: 'secret-value', 'aria-label': 'The invitation link' }, inv.url),
      h(
        'div',
        { class: 'actions' },
        copyButton(inv.url, 'Copy link'),
        h('button', { type: 'button', class: 'secondary', onclick: () => linkSlot.replaceChildren() }, 'Done'),
      ),
    );
    linkSlot.replaceChildren(panel);
    panel.querySelector('h2').focus();
  }

  async function loadMembers(more = false) {
    try {
      const q = new URLSearchParams({ limit: '100' });
      if (more && membersCursor) q.set('cursor', membersCursor);
      const page = await api('GET', `/v1/users?${q}`);
      members = more ? members.concat(page) : page;
      membersCursor = page.nextCursor ?? null;
      drawMembers();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      replace(membersSlot, errorBox(err));
    }
  }

  function drawMembers() {
    replace(
      membersSlot,
      table(
        [
          {
            label: 'Email',
            cell: (m) => h('span', {}, m.email, m.user_id === me.user?.id ? h('span', { class: 'muted' }, ' (you)') : null),
          },
          { label: 'Role', cell: roleCell },
          { label: 'Joined', class: 'nowrap', cell: (m) => timeCell(m.created_at) },
          canManage ? { label: 'Actions', class: 'nowrap', cell: removeCell } : null,
        ].filter(Boolean),
        members,
        { caption: 'Members', empty: 'No members.' },
      ),
    );
    replace(
      membersPager,
      membersCursor ? h('button', { type: 'button', class: 'secondary', onclick: () => loadMembers(true) }, 'Load more members') : null,
    );
  }

  function roleCell(m) {
    const rank = ROLES.indexOf(m.role);
    if (!canManage || rank > myRank) return h('span', { class: 'badge' }, m.role);
    const select = h(
      'select',
      {
        'aria-label': `Role of ${m.email}`,
        onchange: async () => {
          const previous = m.role;
          select.disabled = true;
          status.replaceChildren(loading(`Changing the role of ${m.email}…`));
          try {
            const updated = await api('PATCH', `/v1/users/${encodeURIComponent(m.user_id)}`, { role: select.value });
            m.role = updated.role;
            status.replaceChildren(notice(`${m.email} is now ${updated.role}.`, 'success'));
          } catch (err) {
            select.value = previous;
            status.replaceChildren(errorBox(err));
          } finally {
            select.disabled = false;
          }
        },
      },
      offerable.map((r) => h('option', { value: r, selected: r === m.role }, r)),
    );
    return select;
  }

  function removeCell(m) {
    if (ROLES.indexOf(m.role) > myRank) return h('span', { class: 'muted' }, '—');
    const self = m.user_id === me.user?.id;
    return h(
      'button',
      {
        type: 'button',
        class: 'danger-text small',
        'aria-label': `Remove ${m.email}`,
        onclick: async () => {
          const ok = await confirmAction(
            self
              ? 'Remove yourself from this workspace? You lose access to it at once, and this console session ends.'
              : `Remove ${m.email} from this workspace? Their keys and app authorizations here stop working at once.`,
            { confirmLabel: 'Remove', title: 'Remove this member?' },
          );
          if (!ok) return;
          status.replaceChildren(loading('Removing…'));
          try {
            await api('DELETE', `/v1/users/${encodeURIComponent(m.user_id)}`);
            await loadMembers();
            status.replaceChildren(notice(`${m.email} was removed.`, 'success'));
          } catch (err) {
            status.replaceChildren(errorBox(err));
          }
        },
      },
      'Remove',
    );
  }

  async function loadInvites(more = false) {
    if (!hasScope('members:read')) return;
    if (!more) replace(invitesSlot, loading('Loading invitations…'));
    try {
      const q = new URLSearchParams({ limit: '100' });
      if (more && invitesCursor) q.set('cursor', invitesCursor);
      const page = await api('GET', `/v1/invitations?${q}`);
      invites = more ? invites.concat(page) : page;
      invitesCursor = page.nextCursor ?? null;
      drawInvites();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      replace(invitesSlot, errorBox(err));
    }
  }

  function drawInvites() {
    const sorted = [...invites].sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
    replace(
      invitesSlot,
      table(
        [
          { label: 'Email', cell: (i) => i.email },
          { label: 'Role', cell: (i) => h('span', { class: 'badge' }, i.role) },
          {
            label: 'Status',
            cell: (i) =>
              h('span', { class: `badge ${i.status === 'pending' ? 'info' : i.status === 'accepted' ? 'ok' : ''}` }, i.status),
          },
          { label: 'Sent', class: 'nowrap', cell: (i) => timeCell(i.created_at) },
          { label: 'Expires', class: 'nowrap', cell: (i) => timeCell(i.expires_at) },
          canManage ? { label: 'Actions', class: 'nowrap', cell: revokeInviteCell } : null,
        ].filter(Boolean),
        sorted,
        { caption: 'Invitations', empty: 'No invitations.' },
      ),
    );
    replace(
      invitesPager,
      invitesCursor ? h('button', { type: 'button', class: 'secondary', onclick: () => loadInvites(true) }, 'Load more invitations') : null,
    );
  }

  function revokeInviteCell(i) {
    if (i.status !== 'pending') return h('span', { class: 'muted' }, '—');
    return h(
      'button',
      {
        type: 'button',
        class: 'danger-text small',
        'aria-label': `Revoke the invitation of ${i.email}`,
        onclick: async () => {
          const ok = await confirmAction(`Revoke the invitation of ${i.email}? Its link stops working.`, {
            confirmLabel: 'Revoke invitation',
            title: 'Revoke this invitation?',
          });
          if (!ok) return;
          try {
            await api('DELETE', `/v1/invitations/${encodeURIComponent(i.id)}`);
            await loadInvites();
            status.replaceChildren(notice(`The invitation of ${i.email} was revoked.`, 'success'));
          } catch (err) {
            status.replaceChildren(errorBox(err));
          }
        },
      },
      'Revoke',
    );
  }

  await Promise.all([loadMembers(), loadInvites()]);
}
