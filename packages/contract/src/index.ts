/*
 * The chain's wire contract, declared once: members, ports, routes, headers,
 * error codes and their statuses. The services, the client, the tests and the
 * bench import it; the files that must repeat it (compose files, Dockerfiles,
 * task definitions, environment files, the gateway's nginx templates) stay
 * literal and checks/ binds them to it. No imports: it runs in the browser too.
 */

/**
 * The members in the order a /start travels through them: the service name
 * (compose service, ECS container, DNS name and meow), the app folder under
 * apps/, and the port `npm run dev` gives it on this machine.
 */
export const CHAIN = [
  { service: 'node-john', app: 'john', devPort: 3001 },
  { service: 'node-paul', app: 'paul', devPort: 3002 },
  { service: 'node-george', app: 'george', devPort: 3003 },
  { service: 'node-ringo', app: 'ringo', devPort: 3004 },
] as const;

export type ChainMember = (typeof CHAIN)[number];
export type ServiceName = ChainMember['service'];

/** The names of the members, in chain order. */
export const SERVICE_NAMES: readonly ServiceName[] = CHAIN.map((member) => member.service);

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

/** The member named `service`. */
export function memberOf(service: ServiceName): ChainMember {
  return CHAIN.find((member) => member.service === service)!;
}

/** The port every member listens on in a container (compose, ECS), and its default. */
export const SERVICE_PORT = 3000;

/** The port the client image's nginx (and the dev loop's Vite server) listens on in its container. */
export const CLIENT_PORT = 3000;

/** The port the gateway (apps/nginx, the load balancer's stand-in) listens on in its container. */
export const GATEWAY_PORT = 8080;

/** Every route a member serves (GET and HEAD), by name. */
export const ROUTES = {
  /** Where a chain begins: the meows of every member after this one. */
  start: '/start',
  /** The health check: answers from memory (PING_ANSWERS), never calls another member. */
  ping: '/ping',
  /** The member's own meow. */
  meow: '/meow',
  /** Prometheus metrics. */
  metrics: '/metrics',
  /** One step of a chain, served to the member before: its own meow, then those after it. */
  hop: '/hop',
} as const;

export type RouteName = keyof typeof ROUTES;
export type Route = (typeof ROUTES)[RouteName];

/** What the gateway and the load balancer send to the first member; every other path goes to the client. */
export const PUBLIC_ROUTES: readonly Route[] = [ROUTES.start, ROUTES.ping];

/** The member routes only the network reaches: the gateway answers them 404 itself. */
export const INTERNAL_ROUTES: readonly Route[] = Object.values(ROUTES).filter((route) => !PUBLIC_ROUTES.includes(route));

/** What the client's and the gateway's own health checks ask for (the members' is ROUTES.ping). */
export const CLIENT_HEALTH_ROUTE = '/';
export const GATEWAY_HEALTH_ROUTE = '/healthz';

/** Headers every hop sends the next one (lower case, as Node hands them over). */
export const HEADERS = {
  /** The caller's request id if sane (REQUEST_ID_PATTERN), else a new one; on every answer and every log line of every hop. */
  requestId: 'x-request-id',
  /** How many hops the request has made, so a looping NEXT_HOP wiring ends in 508. */
  hopCount: 'x-hop-count',
  /** Milliseconds left of the chain's budget, relative so hops need no shared clock. */
  deadline: 'x-deadline-ms',
} as const;

/** Headers only a member sets, for the next one: the gateway drops them from every request it forwards. */
export const INTERNAL_HEADERS: readonly string[] = [HEADERS.hopCount, HEADERS.deadline];

/** A caller's request id is kept only if it is short and plain; anything else is replaced, never echoed. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** The whole chain's time budget unless REQUEST_DEADLINE_MS says otherwise. */
export const DEFAULT_REQUEST_DEADLINE_MS = 2000;

/** The status of every successful answer. */
export const OK_STATUS = 200;

/**
 * Every error code the chain answers with, and its status: a code decides its
 * status here and nowhere else. The services raise most of them; the gateway
 * writes some itself (too_many_requests, and bad_gateway or gateway_timeout
 * naming an upstream rather than a hop), as the load balancer's stand-in does
 * service_unavailable.
 */
export const ERROR_STATUS = {
  bad_request: 400,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  payload_too_large: 413,
  too_many_requests: 429,
  headers_too_large: 431,
  internal_error: 500,
  bad_gateway: 502,
  service_unavailable: 503,
  gateway_timeout: 504,
  loop_detected: 508,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_STATUS, code);
}

/** What /ping answers: the load balancer's health check counts `serving` as healthy, so a draining member gets no new requests. */
export const PING_ANSWERS = {
  serving: { status: OK_STATUS, body: 'pong' },
  draining: { status: ERROR_STATUS.service_unavailable, body: 'draining' },
} as const;

/** The JSON body of every error answer; `hop` names the failing member for chain failures. */
export interface ErrorBody {
  error: ErrorCode;
  message: string;
  hop?: string;
  requestId: string;
}

/** The codes with which a member reports a failure further down the chain, naming the member that failed in `hop`. */
export const CHAIN_FAILURE_CODES = ['bad_gateway', 'gateway_timeout', 'loop_detected'] as const satisfies readonly ErrorCode[];

export type ChainFailureCode = (typeof CHAIN_FAILURE_CODES)[number];

/** An error body as it arrives from elsewhere: the code may be one this contract does not know. */
export type ReceivedErrorBody = Omit<ErrorBody, 'error' | 'requestId'> & { error: string; requestId?: string };

export function isErrorBody(value: unknown): value is ReceivedErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const body = value as Record<string, unknown>;
  return (
    typeof body.error === 'string' &&
    typeof body.message === 'string' &&
    (body.hop === undefined || typeof body.hop === 'string') &&
    (body.requestId === undefined || typeof body.requestId === 'string')
  );
}

/**
 * Whether an answer of `status` with `body` reports a failure further down the
 * chain: a chain failure's code, answered with that code's status, naming the
 * member that failed.
 */
export function isChainFailure(status: number, body: unknown): body is ReceivedErrorBody & { error: ChainFailureCode; hop: string } {
  return (
    isErrorBody(body) &&
    body.hop !== undefined &&
    (CHAIN_FAILURE_CODES as readonly string[]).includes(body.error) &&
    ERROR_STATUS[body.error as ChainFailureCode] === status
  );
}

/** The member after `service` in `chain`, or undefined at the end. */
export function nextMember<Member extends { service: string }>(service: string, chain: readonly Member[]): Member | undefined {
  const index = chain.findIndex((member) => member.service === service);
  if (index === -1) throw new Error(`${service} is not a member of the chain (${chain.map((member) => member.service).join(', ')})`);
  return chain[index + 1];
}

/** How a member calls the next one in compose and ECS, `http://node-paul:3000`; empty at the end of the chain. */
export function nextHopUrl(service: ServiceName): string {
  const next = nextMember(service, CHAIN);
  return next ? `http://${next.service}:${SERVICE_PORT}` : '';
}

export function meowOf(service: string, port: number): string {
  return `meow from ${service}:${port}`;
}

/**
 * What GET /start on the first of `services` answers: the meow of every
 * later one, in order. `portOf` gives each one's port (SERVICE_PORT in
 * containers; ephemeral ports in tests).
 */
export function expectedStartAnswer(
  services: readonly string[] = SERVICE_NAMES,
  portOf: (service: string) => number = () => SERVICE_PORT,
): string[] {
  return services.slice(1).map((service) => meowOf(service, portOf(service)));
}
