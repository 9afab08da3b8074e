#!/usr/bin/env bash
# Builds the actions function's container image (image/Dockerfile) from the actions zip of `serverless package`,
# pushes it to ECR and prints the URI with its digest, for `--param actionsImage=...`.
#   scripts/push-actions-image.sh STAGE [REPOSITORY] [-- extra `serverless package` args, e.g. --param packsPath=...]
# Needs: docker (with buildx), the AWS CLI, credentials that may create/push to the ECR repository.
# Then: npx serverless deploy --stage STAGE --param actionsImage=<printed URI>  (same --param args as here)
set -euo pipefail
cd "$(dirname "$0")/.."

stage="${1:?usage: scripts/push-actions-image.sh STAGE [REPOSITORY] [-- serverless package args]}"
shift
repository="lambda-actionrunner-actions"
if [ $# -gt 0 ] && [ "$1" != "--" ]; then repository="$1"; shift; fi
if [ "${1:-}" = "--" ]; then shift; fi
region="${AWS_REGION:-$(aws configure get region || echo us-east-1)}"
# The image's architecture must be the function's (param architecture, arm64 unless a stage says otherwise).
arch="${ACTIONS_IMAGE_ARCH:-arm64}"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
npx serverless package --stage "$stage" --region "$region" --package "$out/package" "$@" >&2
mkdir -p "$out/context/user-packs"
(cd "$out/context" && unzip -q "$out/package/actions.zip")
cp image/Dockerfile "$out/context/Dockerfile"

account="$(aws sts get-caller-identity --query Account --output text)"
registry="$account.dkr.ecr.$region.amazonaws.com"
aws ecr describe-repositories --region "$region" --repository-names "$repository" >/dev/null 2>&1 ||
  aws ecr create-repository --region "$region" --repository-name "$repository" --image-scanning-configuration scanOnPush=true >/dev/null
aws ecr get-login-password --region "$region" | docker login --username AWS --password-stdin "$registry" >/dev/null

tag="$registry/$repository:$stage-$(date -u +%Y%m%d%H%M%S)"
# --provenance=false: Lambda takes a single-platform image manifest, not an index.
docker buildx build --platform "linux/$arch" --provenance=false --tag "$tag" --push "$out/context" >&2
digest="$(aws ecr describe-images --region "$region" --repository-name "$repository" --image-ids imageTag="${tag##*:}" --query 'imageDetails[0].imageDigest' --output text)"
echo "$registry/$repository@$digest"
