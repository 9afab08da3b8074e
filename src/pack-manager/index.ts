export { InvalidPackError, PackInstallError } from './errors.ts';
export { installPack, listPacks, removePack, type InstallOutcome, type InstallPackOptions, type InstalledPack } from './install.ts';
export { interpreterFor, localPacksDir, sitePackagesOf, virtualenvOf, SHIPPED_SITE_PACKAGES, VIRTUALENVS_DIR, type PackInterpreter } from './layout.ts';
export { fetchSource, isGitUrl } from './source.ts';
