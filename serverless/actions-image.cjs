// The actions function as a container image: `--param actionsImage=<ECR image URI>@sha256:<digest>` (what
// scripts/push-actions-image.sh prints) deploys it as PackageType Image, built from the repo's Dockerfile (the
// nodejs22.x zip has no python3: python-script actions, core.pause and st2's python packs need the image).
// Its role, environment, timeout, concurrency and queue trigger stay as serverless.yml defines them; without
// the param it is the zip, as before. A digest, not a tag: osls would ask ECR for a tag's digest (no
// offline `serverless package`), and a digest pins exactly what was pushed.
'use strict';

const DIGEST_URI = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/[a-z0-9._/-]+@sha256:[0-9a-f]{64}$/;

class ActionsImage {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'before:package:createDeploymentArtifacts': () => this.apply(),
      'before:deploy:function:packageFunction': () => this.apply(),
    };
  }

  apply() {
    const { service } = this.serverless;
    const uri = String(service.custom?.actionsImage ?? '').trim();
    if (uri === '') return;
    if (!DIGEST_URI.test(uri)) {
      throw new this.serverless.classes.Error(
        `actionsImage: expected an ECR image URI with its digest (<account>.dkr.ecr.<region>.amazonaws.com/<repository>@sha256:<64 hex>, as scripts/push-actions-image.sh prints), got "${uri}"`,
      );
    }
    const fn = service.functions.actions;
    // The handler the zip would run is the image's command: the same bundle, in /var/task.
    const command = [fn.handler];
    delete fn.handler;
    delete fn.runtime;
    fn.image = { uri, command };
    this.serverless.cli.log(`actionsImage: the actions function deploys as the container image ${uri}`);
  }
}

module.exports = ActionsImage;
