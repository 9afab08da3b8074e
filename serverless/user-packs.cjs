// Operator packs in the zips: `--param packsPath=DIR[:DIR...]` (folders of st2 packs, as st2's packs_base_paths)
// copies each pack into `user-packs/` beside the project's `packs/` before the functions are packaged, and the
// functions load it from there (ACTIONRUNNER_PACKS_PATH, relative to the function's root).
// A pack installed there by `actionrunner pack install --packs-dir DIR` has a virtualenv in DIR/.virtualenvs/<pack>:
// its site-packages (the pack's python dependencies, without pip and setuptools) ship as
// user-packs/.virtualenvs/<pack>/site-packages, which python-script puts on the path of the image's python3.
'use strict';
const { cpSync, existsSync, readdirSync, rmSync, statSync } = require('node:fs');
const path = require('node:path');

const STAGING = 'user-packs';
// What a virtualenv holds for installing, not for running the pack's actions.
const INSTALL_TOOLING = /^(pip|setuptools|_distutils_hack|pkg_resources)$|^(pip|setuptools)-.*\.dist-info$|^distutils-precedence\.pth$/;

/** lib/pythonX.Y/site-packages of a virtualenv, if it has one. */
function sitePackages(venv) {
  const lib = path.join(venv, 'lib');
  if (!existsSync(lib)) return undefined;
  const version = readdirSync(lib).find((entry) => entry.startsWith('python') && existsSync(path.join(lib, entry, 'site-packages')));
  return version && path.join(lib, version, 'site-packages');
}

class UserPacks {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'before:package:createDeploymentArtifacts': () => this.stage(),
      'before:deploy:function:packageFunction': () => this.stage(),
    };
  }

  stage() {
    const { service, serviceDir } = this.serverless;
    const staging = path.join(serviceDir, STAGING);
    rmSync(staging, { recursive: true, force: true });
    const setting = String(service.custom?.packsPath ?? '');
    const dirs = setting.split(':').filter(Boolean);
    if (dirs.length === 0) return;
    const fail = (message) => {
      throw new this.serverless.classes.Error(`packsPath: ${message}`);
    };
    const ours = new Set(readdirSync(path.join(serviceDir, 'packs')));
    const seen = new Map();
    const withLibraries = [];
    for (const dir of dirs) {
      const folder = path.resolve(serviceDir, dir);
      if (!existsSync(folder) || !statSync(folder).isDirectory())
        fail(`${dir} is not a folder - expected folders of st2 packs (each pack a folder with actions/), colon-separated`);
      const packs = readdirSync(folder).filter((name) => !name.startsWith('.') && existsSync(path.join(folder, name, 'actions')));
      if (packs.length === 0) fail(`${dir} holds no pack - expected folders with an actions/ folder (e.g. ${dir}/mypack/actions/hello.yaml)`);
      for (const pack of packs) {
        if (ours.has(pack)) fail(`pack ${pack} in ${dir} has the name of a pack the project ships (packs/${pack}) - rename it`);
        if (seen.has(pack)) fail(`pack ${pack} is in both ${seen.get(pack)} and ${dir} - keep one`);
        seen.set(pack, dir);
        cpSync(path.join(folder, pack), path.join(staging, pack), { recursive: true, dereference: true });
        const libraries = sitePackages(path.join(folder, '.virtualenvs', pack));
        if (libraries) {
          cpSync(libraries, path.join(staging, '.virtualenvs', pack, 'site-packages'), {
            recursive: true,
            dereference: true,
            filter: (from) => path.basename(from) !== '__pycache__' && (path.dirname(from) !== libraries || !INSTALL_TOOLING.test(path.basename(from))),
          });
          withLibraries.push(pack);
        }
      }
    }
    // A dot-folder is matched only when a pattern names it.
    service.package.patterns = [...(service.package.patterns ?? []), `${STAGING}/**`, `${STAGING}/.virtualenvs/**`];
    service.provider.environment = { ...service.provider.environment, ACTIONRUNNER_PACKS_PATH: STAGING };
    const libraries = withLibraries.length ? ` (python dependencies of ${withLibraries.join(', ')})` : '';
    this.serverless.cli.log(`packsPath: ${[...seen.keys()].join(', ')} packaged from ${dirs.join(', ')}${libraries}`);
  }
}

module.exports = UserPacks;
