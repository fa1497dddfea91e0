#pragma once
// Everything a plugin may use, in one include.
//
// ABI rules within a major version (plugins built on any older 1.x load):
//
// * May grow (the kernel builds or implements them; a plugin only reads
//   or calls them): new members and virtual functions are appended at the
//   end, never inserted, reordered or changed. Context, Request, HeaderView,
//   Database, Keyring, Clock, Logger, JobQueue, Events, Identity, AuditLog,
//   Operations, StreamStarter, ResponseStream.
// * Frozen (a plugin builds or implements them, so the kernel may receive
//   one laid out by an older SDK): RouteSpec, Response, AuthResult,
//   Principal, Authenticator, Plugin, Command, Migration, JobSpec,
//   AuditRecord, AuditQuery, AuditSink, Operation, ErrorCase, Completion,
//   CliCommand, CompletionFailure, the
//   descriptor (which grows only through struct_size and its reserved
//   slots). Also frozen: the value types the kernel returns by value, whose
//   storage the calling plugin lays out (Tenant, User, Member, SignIn, Job,
//   JobInfo, EnqueueResult, AuditPage, AuditToolPage, AuditListing). A
//   later minor adds a new type or a new call next to them (as 1.4 added
//   Operation and Context::add_operation instead of growing RouteSpec,
//   1.5 AuditToolPage and
//   AuditLog::query_with_tools instead of growing AuditPage, and 1.6
//   AuditLog::list, whose rows are JSON objects so that columns can be
//   added without a new type), never a member.
// * Services one plugin offers another (CredentialIssuer, Projects,
//   ProjectInfo, ProjectStep, SecretSink, SecretBundle, UsageRecorder,
//   TokenAudience) are
//   found by name and version number: changing one is a new version.
// * Header-only code (RouteGroup, CredentialKit, InvalidatingCache, paging,
//   html, tokens) is compiled into the plugin: it may change freely as long
//   as what it calls in the kernel stays.
// * Exceptions crossing the boundary (ApiError, WouldBlock) are exported
//   (AMBIT_SDK_EXPORT) so their type_info matches in kernel and plugin.
#include "ambit/sdk/audit.hpp"
#include "ambit/sdk/auth.hpp"
#include "ambit/sdk/cache.hpp"
#include "ambit/sdk/clock.hpp"
#include "ambit/sdk/context.hpp"
#include "ambit/sdk/credential_kit.hpp"
#include "ambit/sdk/credentials.hpp"
#include "ambit/sdk/database.hpp"
#include "ambit/sdk/error.hpp"
#include "ambit/sdk/events.hpp"
#include "ambit/sdk/html.hpp"
#include "ambit/sdk/http.hpp"
#include "ambit/sdk/identity.hpp"
#include "ambit/sdk/jobs.hpp"
#include "ambit/sdk/keyring.hpp"
#include "ambit/sdk/logger.hpp"
#include "ambit/sdk/operation.hpp"
#include "ambit/sdk/paging.hpp"
#include "ambit/sdk/plugin.hpp"
#include "ambit/sdk/principal.hpp"
#include "ambit/sdk/projects.hpp"
#include "ambit/sdk/routes.hpp"
#include "ambit/sdk/secrets.hpp"
#include "ambit/sdk/stream.hpp"
#include "ambit/sdk/time.hpp"
#include "ambit/sdk/token_audience.hpp"
#include "ambit/sdk/tokens.hpp"
#include "ambit/sdk/usage.hpp"
#include "ambit/sdk/version.hpp"
