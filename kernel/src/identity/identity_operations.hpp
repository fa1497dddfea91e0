#pragma once
// The identity core's operations (SDK 1.4): what each route of
// identity_routes.cpp and invitation_routes.cpp is called, takes, answers
// and does. The kernel validates the inputs against these schemas before
// the handlers run, writes /openapi.json from them and offers the JSON
// routes as tools. One function per route.

#include "ambit/sdk/operation.hpp"

namespace ambit::kernel::identity_ops {

// identity_routes.cpp
sdk::Operation me_get();          ///< GET    /v1/me
sdk::Operation tenants_create();  ///< POST   /v1/tenants
sdk::Operation users_list();      ///< GET    /v1/users
sdk::Operation users_update();    ///< PATCH  /v1/users/:userId
sdk::Operation users_delete();    ///< DELETE /v1/users/:userId

// invitation_routes.cpp: the JSON API
sdk::Operation invitations_create();      ///< POST   /v1/invitations
sdk::Operation invitations_list();        ///< GET    /v1/invitations
sdk::Operation invitations_revoke();      ///< DELETE /v1/invitations/:id
sdk::Operation invitations_accept();      ///< POST   /v1/invitations/accept
sdk::Operation password_resets_redeem();  ///< POST   /v1/password-reset

// invitation_routes.cpp: the pages the links open (HTML; the handlers check their forms)
sdk::Operation invitations_accept_page();      ///< GET  /invitations/accept
sdk::Operation invitations_accept_form();      ///< POST /invitations/accept
sdk::Operation password_resets_redeem_page();  ///< GET  /password-reset
sdk::Operation password_resets_redeem_form();  ///< POST /password-reset

}  // namespace ambit::kernel::identity_ops
