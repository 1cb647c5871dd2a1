#!/usr/bin/env bash
# Golden-image build with its scan gate. Run by each level's CodeBuild project (privileged Docker, in
# the platform network); shipped with platform_constructs and written into the build by its buildspec.
#
#   1. base      Level 0 resolves the approved base image to its digest. Levels 1 and 2 read the approved
#                image of the level below from SSM and REFUSE any base that is not that repository's
#                image pinned by digest.
#   2. build     docker build (package index token as a BuildKit secret), smoke test with `docker run`
#                (non-root; CUDA visible on GPU images), push with a `build-*` tag only.
#   3. scan gate wait for the ECR scan of the pushed digest; any finding at or above the policy's
#                severity fails the build: the image is never tagged approved and never published.
#   4. approve   add the immutable `approved-*` tag and write `repository@digest` to the level's SSM
#                parameter (and the platform's default-image parameters for Level 1). Writing the
#                parameter emits the event that rebuilds the levels above.
set -euo pipefail

: "${LEVEL:?}" "${REPOSITORY_NAME:?}" "${REPOSITORY_URI:?}" "${APPROVED_PARAMETER:?}"
: "${SCAN_BLOCK_SEVERITIES:?}" "${SCAN_TIMEOUT_SECONDS:?}" "${GPU:?}"
cd "$(dirname "$0")"

refuse() {
  echo "REFUSED (level ${LEVEL}): $*" >&2
  exit 1
}

ecr_login() {
  aws ecr get-login-password | docker login --username AWS --password-stdin "$1" >/dev/null
}

ecr_login "${REPOSITORY_URI%%/*}"

# 1. base ---------------------------------------------------------------------------------------------
if [ "$LEVEL" = 0 ]; then
  : "${BASE_IMAGE:?}"
  # BASE_REGISTRY: the base's ECR registry host, read at synth by images/uri.py (empty: not an ECR registry).
  if [ -n "${BASE_REGISTRY:-}" ]; then ecr_login "$BASE_REGISTRY"; fi
  docker pull --quiet "$BASE_IMAGE" >/dev/null
  base="$(docker inspect --format '{{index .RepoDigests 0}}' "$BASE_IMAGE")"
else
  : "${BASE_PARAMETER:?}" "${BASE_REPOSITORY_URI:?}"
  base="$(aws ssm get-parameter --name "$BASE_PARAMETER" --query Parameter.Value --output text)"
  case "$base" in
    "$BASE_REPOSITORY_URI"@sha256:*) ;;
    *) refuse "the base '${base}' is not an approved image of ${BASE_REPOSITORY_URI} pinned by digest;" \
              "approve a level $((LEVEL - 1)) build first" ;;
  esac
fi
echo "base: ${base}"

# 2. build, smoke test, push --------------------------------------------------------------------------
secret_args=()
if [ "$LEVEL" != 0 ]; then
  : "${CODEARTIFACT_DOMAIN:?}" "${CODEARTIFACT_OWNER:?}" "${CODEARTIFACT_REPOSITORY:?}"
  secret_file="$(mktemp)"
  trap 'rm -f "$secret_file"' EXIT
  token="$(aws codeartifact get-authorization-token --domain "$CODEARTIFACT_DOMAIN" \
    --domain-owner "$CODEARTIFACT_OWNER" --query authorizationToken --output text)"
  endpoint="$(aws codeartifact get-repository-endpoint --domain "$CODEARTIFACT_DOMAIN" \
    --domain-owner "$CODEARTIFACT_OWNER" --repository "$CODEARTIFACT_REPOSITORY" --format pypi \
    --query repositoryEndpoint --output text)"
  printf 'https://aws:%s@%ssimple/' "$token" "${endpoint#https://}" >"$secret_file"
  secret_args=(--secret "id=pip_index_url,src=${secret_file}")
fi

tag="build-$(date -u +%Y%m%dT%H%M%SZ)-${CODEBUILD_BUILD_NUMBER:-0}"
image="${REPOSITORY_URI}:${tag}"
DOCKER_BUILDKIT=1 docker build "${secret_args[@]}" \
  --build-arg "BASE_IMAGE=${base}" \
  --label "org.opencontainers.image.base.name=${base}" \
  --label "org.opencontainers.image.created=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  --tag "$image" .

gpu_args=()
if [ "$GPU" = 1 ]; then gpu_args=(--gpus all); fi
docker run --rm "${gpu_args[@]}" "$image" python /opt/platform/smoke_test.py --level "$LEVEL" --runtime \
  || refuse "the smoke test failed in the built image"
docker push --quiet "$image" >/dev/null
digest="$(aws ecr describe-images --repository-name "$REPOSITORY_NAME" --image-ids "imageTag=${tag}" \
  --query 'imageDetails[0].imageDigest' --output text)"
echo "pushed: ${REPOSITORY_URI}@${digest} (${tag})"

# 3. scan gate ----------------------------------------------------------------------------------------
deadline=$((SECONDS + SCAN_TIMEOUT_SECONDS))
while :; do
  status="$(aws ecr describe-image-scan-findings --repository-name "$REPOSITORY_NAME" \
    --image-id "imageDigest=${digest}" --query imageScanStatus.status --output text 2>/dev/null || echo PENDING)"
  case "$status" in
    COMPLETE | ACTIVE) break ;;
    FAILED | UNSUPPORTED_IMAGE | FINDINGS_UNAVAILABLE | SCAN_ELIGIBILITY_EXPIRED)
      refuse "the scan of ${digest} ended with status ${status}" ;;
  esac
  [ "$SECONDS" -lt "$deadline" ] || refuse "the scan of ${digest} did not complete in ${SCAN_TIMEOUT_SECONDS}s"
  sleep 15
done
counts="$(aws ecr describe-image-scan-findings --repository-name "$REPOSITORY_NAME" \
  --image-id "imageDigest=${digest}" --query imageScanFindings.findingSeverityCounts --output json)"
blocking="$(python3 -c 'import json, sys
counts = json.loads(sys.argv[1]) or {}
print(sum(int(counts.get(s, 0)) for s in sys.argv[2].split()))' "$counts" "$SCAN_BLOCK_SEVERITIES")"
if [ "$blocking" != 0 ]; then
  refuse "${blocking} finding(s) at severity ${SCAN_BLOCK_SEVERITIES// /, } (${counts}); the image stays unapproved"
fi
echo "scan gate passed: ${counts}"

# 4. approve and publish ------------------------------------------------------------------------------
approved_tag="approved-${tag#build-}"
manifest="$(aws ecr batch-get-image --repository-name "$REPOSITORY_NAME" --image-ids "imageDigest=${digest}" \
  --query 'images[0].imageManifest' --output text)"
media_type="$(aws ecr batch-get-image --repository-name "$REPOSITORY_NAME" --image-ids "imageDigest=${digest}" \
  --query 'images[0].imageManifestMediaType' --output text)"
aws ecr put-image --repository-name "$REPOSITORY_NAME" --image-tag "$approved_tag" \
  --image-manifest "$manifest" --image-manifest-media-type "$media_type" >/dev/null
for parameter in $APPROVED_PARAMETER ${DEFAULT_PARAMETERS:-}; do
  aws ssm put-parameter --name "$parameter" --value "${REPOSITORY_URI}@${digest}" --overwrite >/dev/null
done
echo "approved: ${REPOSITORY_URI}@${digest} (${approved_tag})"
