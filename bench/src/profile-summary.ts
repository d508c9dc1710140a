/** The parts of a V8 .cpuprofile (node --cpu-prof) the summary reads. */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    hitCount?: number;
    children?: number[];
  }>;
  /** Microseconds. */
  startTime: number;
  endTime: number;
}

/**
 * Where a frame's code comes from: a package under node_modules, a workspace,
 * a Node core module (`node:http`, `node:streams`), V8 builtins without a
 * script, or V8's own pseudo-frames (GC, program, idle).
 */
export function categoryOf({ functionName, url }: { functionName: string; url: string }): string {
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(program)') return 'V8 (program)';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(root)') return 'root';
    return 'V8 builtins';
  }
  if (url.startsWith('node:')) {
    const segment = url
      .slice('node:'.length)
      .replace(/^internal\//, '')
      .split('/')[0]!;
    return `node:${segment.replace(/^_/, '').split('_')[0]}`;
  }
  const inModules = url.lastIndexOf('/node_modules/');
  if (inModules !== -1) {
    const [scope, name] = url.slice(inModules + '/node_modules/'.length).split('/');
    return scope!.startsWith('@') ? `${scope}/${name}` : scope!;
  }
  const workspace = /\/(packages|apps)\/([^/]+)\//.exec(url);
  if (workspace) return `@ping-pong/${workspace[2]}`;
  return 'other';
}

export interface Share {
  name: string;
  /** Share of the busy samples (everything but idle) where it was the running frame. */
  self: number;
  /** Share of the busy samples where it was anywhere on the stack. */
  total: number;
}

export interface ProfileSummary {
  /** Share of all samples that were not idle. */
  busy: number;
  /** Milliseconds of the profile that were not idle: the CPU the process used. */
  busyMs: number;
  categories: Share[];
  functions: Share[];
}

const functionKey = ({ functionName, url, lineNumber }: CpuProfile['nodes'][number]['callFrame']) =>
  `${functionName || '(anonymous)'} ${url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*\/(packages|apps)\//, '')}:${lineNumber + 1}`;

/**
 * Self and total (top-down) time by category and by function, as shares of
 * the busy samples. A category or function counts once per sample however
 * often it recurs on the stack.
 */
export function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const childIds = new Set(profile.nodes.flatMap((node) => node.children ?? []));
  const root = profile.nodes.find((node) => !childIds.has(node.id))!;
  const tallies = { categories: new Map<string, Share>(), functions: new Map<string, Share>() };
  const onStack = { categories: new Map<string, number>(), functions: new Map<string, number>() };
  let all = 0;
  let idle = 0;

  const tally = (kind: 'categories' | 'functions', name: string) =>
    tallies[kind].get(name) ?? tallies[kind].set(name, { name, self: 0, total: 0 }).get(name)!;

  const visit = (id: number): void => {
    const node = byId.get(id)!;
    const keys = { categories: categoryOf(node.callFrame), functions: functionKey(node.callFrame) };
    const hits = node.hitCount ?? 0;
    all += hits;
    if (keys.categories === 'idle') idle += hits;
    for (const kind of ['categories', 'functions'] as const) {
      onStack[kind].set(keys[kind], (onStack[kind].get(keys[kind]) ?? 0) + 1);
      tally(kind, keys[kind]).self += hits;
      if (hits > 0) for (const name of onStack[kind].keys()) tally(kind, name).total += hits;
    }
    for (const child of node.children ?? []) visit(child);
    for (const kind of ['categories', 'functions'] as const) {
      const depth = onStack[kind].get(keys[kind])! - 1;
      if (depth === 0) onStack[kind].delete(keys[kind]);
      else onStack[kind].set(keys[kind], depth);
    }
  };
  visit(root.id);

  const busy = all - idle;
  const shares = (kind: 'categories' | 'functions') =>
    [...tallies[kind].values()]
      .filter(
        (share) => share.name !== 'idle' && share.name !== 'root' && !share.name.startsWith('(root)') && !share.name.startsWith('(idle)'),
      )
      .map((share) => ({ name: share.name, self: share.self / busy, total: share.total / busy }))
      .sort((a, b) => b.self - a.self);
  const share = all === 0 ? 0 : busy / all;
  return {
    busy: share,
    busyMs: (share * (profile.endTime - profile.startTime)) / 1000,
    categories: shares('categories'),
    functions: shares('functions'),
  };
}
