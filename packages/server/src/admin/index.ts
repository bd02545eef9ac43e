import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { ServerContext } from '../context.js';
import type { KickingRule } from '../engine/types.js';
import { type RouteHandler, sendJson } from '../gateway/router.js';
import { crossSiteRefusal } from '../security/origins.js';
import { basicAuthUser, checkBasicAuth } from './auth.js';
import { BodyError, readJson } from './body.js';
import {
  AppIdSchema,
  ChannelNameSchema,
  CloseChannel,
  CreateRule,
  DeleteRule,
  Pagination,
  ruleDurationMs,
  UpdateRule,
} from './schemas.js';

/** `5 min`, or `90 s` for a time_in_seconds that is not whole minutes. */
const span = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`);

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

/** Thrown by handlers for a 4xx answer with a reason. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new HttpError(
      400,
      'invalid_request',
      result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
      result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  return result.data;
}

const ruleView = (r: KickingRule) => ({
  id: r.id,
  appid: r.appId,
  ...(r.cname !== undefined ? { cname: r.cname } : {}),
  ...(r.uid !== undefined ? { uid: r.uid } : {}),
  ...(r.ip !== undefined ? { ip: r.ip } : {}),
  privileges: r.privileges,
  ts: Math.floor(r.expiresAt / 1000),
  createAt: Math.floor(r.createdAt / 1000),
  updateAt: Math.floor(r.updatedAt / 1000),
});

/**
 * The audit trail of admin actions: at `info` even when the server logs only warnings (an
 * operator who wants less still gets who kicked whom), off only with a silent logger.
 */
function auditLogger(log: Logger): Logger {
  const level = log.level === 'silent' || log.levelVal <= 30 ? log.level : 'info';
  return log.child({ audit: 'admin' }, { level });
}

/**
 * The admin REST API, following the commercial channel-management REST shape:
 * channel lists, user lists, kicking rules with a duration, and channel close.
 * JSON in and out, validated; every error is a 4xx with `{ error, message }`.
 */
export function registerAdminRoutes(ctx: ServerContext): void {
  const { router, engine, apps, clock } = ctx;
  const audit = auditLogger(ctx.log);
  /** Who asked: the Basic-auth user (or `anonymous` without credentials configured) and from where. */
  const who = (req: IncomingMessage) => ({
    admin: ctx.options.admin ? basicAuthUser(req) : 'anonymous',
    remote: ctx.clientAddress(req),
  });
  const guard =
    (handler: Handler): RouteHandler =>
    async (req, res, url) => {
      const crossSite = crossSiteRefusal(req.headers.origin, req.headers.host);
      if (crossSite !== undefined) {
        audit.warn(
          { remote: ctx.clientAddress(req), origin: req.headers.origin, path: url.pathname },
          crossSite,
        );
        sendJson(res, 403, { error: 'cross_origin', message: crossSite });
        return;
      }
      if (!checkBasicAuth(ctx.options.admin, req, res)) {
        audit.warn(
          {
            admin: basicAuthUser(req),
            remote: ctx.clientAddress(req),
            method: req.method,
            path: url.pathname,
          },
          'admin: authentication failed',
        );
        return;
      }
      try {
        await handler(req, res, url);
      } catch (err) {
        if (err instanceof HttpError)
          sendJson(res, err.status, {
            error: err.code,
            message: err.message,
            ...(err.details ? { issues: err.details } : {}),
          });
        else if (err instanceof BodyError)
          sendJson(res, err.status, { error: err.code, message: err.message });
        else throw err;
      }
    };
  const knownApp = (appid: string) => {
    const id = parse(AppIdSchema, appid);
    if (!apps.has(id)) throw new HttpError(404, 'unknown_app', `no app "${id}" on this server`);
    return id;
  };

  // GET /dev/v1/channel/{appid}?page_no=&page_size=
  router.add(
    'GET',
    '/dev/v1/channel',
    guard(async (_req, res, url) => {
      const parts = url.pathname.split('/').slice(4).map(decodeURIComponent);
      if (parts[0] === 'user') {
        // GET /dev/v1/channel/user/{appid}/{channelName}
        if (parts.length !== 3)
          throw new HttpError(404, 'not_found', 'use /dev/v1/channel/user/{appid}/{channelName}');
        const appId = knownApp(parts[1]!);
        const channel = parse(ChannelNameSchema, parts[2]);
        const members = await engine.listMembers({ appId, channel });
        const broadcasters = members.filter((m) => m.role === 'broadcaster').map((m) => m.uid);
        const audience = members.filter((m) => m.role === 'audience').map((m) => m.uid);
        sendJson(res, 200, {
          success: true,
          data: {
            channel_exist: members.length > 0,
            mode: members.some((m) => m.profile === 'live') ? 2 : 1,
            total: members.length,
            users: members.map((m) => m.uid),
            broadcasters,
            audience,
            audience_total: audience.length,
            members: members.map((m) => ({
              uid: m.uid,
              role: m.role,
              profile: m.profile,
              joinedAt: m.joinedAt,
            })),
          },
        });
        return;
      }
      if (parts.length !== 1) throw new HttpError(404, 'not_found', 'use /dev/v1/channel/{appid}');
      const appId = knownApp(parts[0]!);
      const page = parse(Pagination, Object.fromEntries(url.searchParams));
      const all = await engine.listChannels(appId);
      const slice = all.slice(page.page_no * page.page_size, (page.page_no + 1) * page.page_size);
      sendJson(res, 200, {
        success: true,
        data: {
          channels: slice.map((c) => ({ channel_name: c.channel, user_count: c.userCount })),
          total_size: all.length,
          page_no: page.page_no,
          page_size: page.page_size,
        },
      });
    }),
    { prefix: true },
  );

  router.add(
    'POST',
    '/dev/v1/kicking-rule',
    guard(async (req, res) => {
      const body = parse(CreateRule, await readJson(req));
      knownApp(body.appid);
      const now = clock.now();
      const durationMs = ruleDurationMs(body);
      const rule = await engine.putRule({
        id: 0,
        appId: body.appid,
        ...(body.cname !== undefined ? { cname: body.cname } : {}),
        ...(body.uid !== undefined ? { uid: body.uid } : {}),
        ...(body.ip !== undefined ? { ip: body.ip } : {}),
        privileges: body.privileges,
        createdAt: now,
        updatedAt: now,
        expiresAt: now + durationMs,
      });
      await engine.publish({ kind: 'kick', rule });
      audit.info(
        { ...who(req), action: 'kicking_rule.create', minutes: durationMs / 60_000, rule: ruleView(rule) },
        durationMs === 0
          ? 'admin: kicked (no ban)'
          : `admin: kicking rule ${rule.id} created for ${span(durationMs)}`,
      );
      sendJson(res, 200, { status: 'success', id: rule.id });
    }),
  );

  router.add(
    'GET',
    '/dev/v1/kicking-rule',
    guard(async (_req, res, url) => {
      const appId = knownApp(url.searchParams.get('appid') ?? '');
      const now = clock.now();
      const rules = (await engine.listRules(appId)).filter((r) => r.expiresAt > now);
      sendJson(res, 200, { status: 'success', rules: rules.map(ruleView) });
    }),
  );

  router.add(
    'PUT',
    '/dev/v1/kicking-rule',
    guard(async (req, res) => {
      const body = parse(UpdateRule, await readJson(req));
      knownApp(body.appid);
      const existing = (await engine.listRules(body.appid)).find((r) => r.id === body.id);
      if (!existing) throw new HttpError(404, 'unknown_rule', `no rule ${body.id} for app ${body.appid}`);
      const now = clock.now();
      const durationMs = ruleDurationMs(body);
      const rule = await engine.putRule({ ...existing, updatedAt: now, expiresAt: now + durationMs });
      if (durationMs === 0) await engine.deleteRule(body.appid, body.id);
      await engine.publish({ kind: 'kick', rule });
      audit.info(
        { ...who(req), action: 'kicking_rule.update', minutes: durationMs / 60_000, rule: ruleView(rule) },
        `admin: kicking rule ${rule.id} set to ${span(durationMs)}`,
      );
      sendJson(res, 200, {
        status: 'success',
        result: { id: rule.id, ts: Math.floor(rule.expiresAt / 1000) },
      });
    }),
  );

  router.add(
    'DELETE',
    '/dev/v1/kicking-rule',
    guard(async (req, res) => {
      const body = parse(DeleteRule, await readJson(req));
      knownApp(body.appid);
      if (!(await engine.deleteRule(body.appid, body.id)))
        throw new HttpError(404, 'unknown_rule', `no rule ${body.id} for app ${body.appid}`);
      audit.info(
        { ...who(req), action: 'kicking_rule.delete', appid: body.appid, id: body.id },
        `admin: kicking rule ${body.id} deleted`,
      );
      sendJson(res, 200, { status: 'success', id: body.id });
    }),
  );

  router.add(
    'POST',
    '/dev/v1/close-channel',
    guard(async (req, res) => {
      const body = parse(CloseChannel, await readJson(req));
      knownApp(body.appid);
      const ref = { appId: body.appid, channel: body.cname };
      const members = await engine.listMembers(ref);
      await engine.publish({ kind: 'close_channel', ref });
      audit.info(
        {
          ...who(req),
          action: 'channel.close',
          appid: body.appid,
          cname: body.cname,
          members: members.length,
        },
        `admin: channel "${body.cname}" closed`,
      );
      sendJson(res, 200, { status: 'success', closed: members.length });
    }),
  );

  // Unknown admin paths and methods get a JSON 404/405 rather than the generic one.
  router.add(
    '*',
    '/dev/v1',
    guard(async (req, _res, url) => {
      throw new HttpError(405, 'method_not_allowed', `${req.method} ${url.pathname} is not supported`);
    }),
    { prefix: true },
  );
}
