import { Copy, DockerfileParser, type Dockerfile, type ImageTemplate, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';

/** One build stage: its FROM image (ARG defaults substituted), its name, and its instructions. */
export interface Stage {
  name: string | undefined;
  image: string;
  instructions: Instruction[];
}

export interface ParsedDockerfile {
  text: string;
  stages: Stage[];
}

export function parseDockerfile(text: string): ParsedDockerfile {
  const dockerfile: Dockerfile = DockerfileParser.parse(text);
  const defaults = new Map<string, string>();
  for (const arg of dockerfile.getInitialARGs()) {
    const property = arg.getProperty();
    const value = property?.getValue();
    if (property !== null && value !== null && value !== undefined) defaults.set(property.getName(), value);
  }
  const substitute = (value: string): string =>
    value.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (whole, name: string) => defaults.get(name) ?? whole);
  const stages = dockerfile.getFROMs().map((from) => {
    const template: ImageTemplate | null = dockerfile.getContainingImage(from.getRange().start);
    return {
      name: from.getBuildStage() ?? undefined,
      image: substitute(from.getImage() ?? ''),
      instructions: template?.getInstructions() ?? [],
    };
  });
  return { text, stages };
}

function keyword(instruction: Instruction): string {
  return instruction.getKeyword().toUpperCase();
}

function argumentsOf(instruction: Instruction): string {
  return instruction.getArgumentsContent() ?? '';
}

/** The JSON array of an exec-form instruction, or undefined for shell form. */
function execForm(instruction: Instruction): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(argumentsOf(instruction));
    return Array.isArray(parsed) && parsed.every((p) => typeof p === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function lastOf(stage: Stage, name: string): Instruction | undefined {
  return stage.instructions.filter((i) => keyword(i) === name).at(-1);
}

function finalStage(dockerfile: ParsedDockerfile): Stage | undefined {
  return dockerfile.stages.at(-1);
}

export interface CopyInstruction {
  /** The stage copied from (`--from=`), or undefined for the build context. */
  from: string | undefined;
  sources: string[];
  destination: string;
}

export function copies(stage: Stage): CopyInstruction[] {
  return stage.instructions
    .filter((i): i is Copy => i instanceof Copy)
    .map((i) => {
      const paths = i.getArguments().map((a) => a.getValue());
      return { from: i.getFromFlag()?.getValue() ?? undefined, sources: paths.slice(0, -1), destination: paths.at(-1) ?? '' };
    });
}

export function workdir(stage: Stage): string | undefined {
  const instruction = lastOf(stage, 'WORKDIR');
  return instruction === undefined ? undefined : argumentsOf(instruction).trim();
}

export function user(stage: Stage): string | undefined {
  const instruction = lastOf(stage, 'USER');
  return instruction === undefined ? undefined : argumentsOf(instruction).trim();
}

export function exposedPorts(stage: Stage): number[] {
  return stage.instructions
    .filter((i) => keyword(i) === 'EXPOSE')
    .flatMap((i) => argumentsOf(i).split(/\s+/))
    .map((p) => Number.parseInt(p, 10));
}

/** ENV of a stage as name -> value (the `ENV NAME=value` form). */
export function environment(stage: Stage): Map<string, string> {
  const env = new Map<string, string>();
  for (const instruction of stage.instructions.filter((i) => keyword(i) === 'ENV')) {
    for (const pair of argumentsOf(instruction).split(/\s+/)) {
      const [name, ...value] = pair.split('=');
      if (name !== undefined && value.length > 0) env.set(name, value.join('='));
    }
  }
  return env;
}

/** The command the container runs: ENTRYPOINT + CMD in exec form; undefined if either is shell form. */
export function containerCommand(stage: Stage): string[] | undefined {
  const entrypoint = lastOf(stage, 'ENTRYPOINT');
  const cmd = lastOf(stage, 'CMD');
  const entry = entrypoint === undefined ? [] : execForm(entrypoint);
  const args = cmd === undefined ? [] : execForm(cmd);
  return entry === undefined || args === undefined ? undefined : [...entry, ...args];
}

export interface DockerfileRule {
  id: string;
  check(dockerfile: ParsedDockerfile): string[];
}

const stageNames = (d: ParsedDockerfile): Set<string> => new Set(d.stages.flatMap((s) => (s.name ? [s.name] : [])));

/** Base images pulled from a registry (a FROM naming an earlier stage is not one). */
function baseImages(d: ParsedDockerfile): string[] {
  return d.stages.map((s) => s.image).filter((image) => !stageNames(d).has(image));
}

export const dockerfileRules: readonly DockerfileRule[] = [
  {
    id: 'multi-stage build with production dependencies only at run time',
    check: (d) => {
      const final = finalStage(d);
      if (d.stages.length < 2 || final === undefined) return ['needs a build stage and a separate runtime stage'];
      const problems: string[] = [];
      const fromStages = copies(final).filter((c) => c.from !== undefined);
      const dependencies = fromStages.find((c) => c.sources.some((s) => s.endsWith('node_modules')));
      const source = d.stages.find((s) => s.name === dependencies?.from);
      const prunes = source?.instructions.some((i) => keyword(i) === 'RUN' && /npm ci\b.*--omit=dev/.test(argumentsOf(i)));
      if (prunes !== true) problems.push('runtime node_modules must come from a stage that runs `npm ci --omit=dev`');
      if (!fromStages.some((c) => c.sources.some((s) => s.includes('dist')))) {
        problems.push('runtime must copy the compiled output from the build stage');
      }
      if (final.instructions.some((i) => keyword(i) === 'RUN' && /\bnpm (ci|install)\b/.test(argumentsOf(i)))) {
        problems.push('runtime stage must not install packages itself');
      }
      return problems;
    },
  },
  {
    id: 'base images pinned by full version tag or digest',
    check: (d) =>
      baseImages(d)
        .filter((image) => !/@sha256:[0-9a-f]{64}$/.test(image) && !/:[^:/]*\d+\.\d+\.\d+[^:/]*$/.test(image))
        .map((image) => `${image} is not pinned (use an exact version tag or a digest)`),
  },
  {
    id: 'runtime on Node.js 24 LTS, slim or distroless',
    check: (d) => {
      const image = finalStage(d)?.image ?? '';
      const base = d.stages.find((s) => s.name === image)?.image ?? image;
      return /^(docker\.io\/library\/)?node:24\.\d+\.\d+-[a-z]+-slim$|distroless\/nodejs24/.test(base)
        ? []
        : [`runtime base ${base} is not a Node.js 24 slim or distroless image`];
    },
  },
  {
    id: 'runs as a numeric non-root user and group above 10000',
    check: (d) => {
      const final = finalStage(d);
      const value = final === undefined ? undefined : user(final);
      const match = /^(\d+):(\d+)$/.exec(value ?? '');
      return match !== null && Number(match[1]) > 10000 && Number(match[2]) > 10000
        ? []
        : [`USER ${value ?? '(none)'} must be numeric uid:gid, both above 10000`];
    },
  },
  {
    id: 'node runs the server as PID 1 through an exec-form command',
    check: (d) => {
      const final = finalStage(d);
      const command = final === undefined ? undefined : containerCommand(final);
      if (command === undefined) return ['ENTRYPOINT and CMD must use exec (JSON) form, or a shell becomes PID 1'];
      const [program] = command;
      const viaInit = program === 'tini' || program === '/sbin/tini' || program === '/usr/bin/tini';
      const node = viaInit ? command[command.indexOf('--') + 1] : program;
      return node === 'node' || node === '/usr/local/bin/node' || node === '/nodejs/bin/node'
        ? []
        : [`the container starts ${command.join(' ')}, not node`];
    },
  },
  {
    id: 'no npm start as the entrypoint',
    check: (d) => {
      const final = finalStage(d);
      const commands = (final?.instructions ?? []).filter((i) => ['CMD', 'ENTRYPOINT'].includes(keyword(i)));
      return commands.some((i) => /\b(npm|yarn|pnpm|npx)\b/.test(argumentsOf(i)))
        ? ['npm does not forward SIGTERM to the server; run node directly']
        : [];
    },
  },
  {
    id: 'OCI image labels',
    check: (d) => {
      const labels = (finalStage(d)?.instructions ?? [])
        .filter((i) => keyword(i) === 'LABEL')
        .map((i) => argumentsOf(i))
        .join(' ');
      const required = ['title', 'description', 'version', 'revision', 'source', 'licenses'];
      return required
        .filter((key) => !labels.includes(`org.opencontainers.image.${key}=`))
        .map((key) => `missing LABEL org.opencontainers.image.${key}`);
    },
  },
  {
    id: 'the bundled model is in the image',
    check: (d) => {
      const final = finalStage(d);
      const fromContext = final === undefined ? [] : copies(final).filter((c) => c.from === undefined);
      return fromContext.some((c) => c.sources.some((s) => s.replace(/\/$/, '') === 'models/churn'))
        ? []
        : ['runtime stage must COPY models/churn'];
    },
  },
  {
    id: 'dockerfile-utils reports no warnings or errors',
    check: (d) =>
      validate(d.text)
        // LSP severities: 1 error, 2 warning, 3 information, 4 hint.
        .filter((diagnostic) => diagnostic.severity !== undefined && diagnostic.severity <= 2)
        .map((diagnostic) => `line ${diagnostic.range.start.line + 1}: ${diagnostic.message}`),
  },
];

