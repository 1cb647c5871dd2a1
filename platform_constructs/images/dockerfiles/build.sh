#!/usr/bin/env bash
# Golden-image build with its scan gate, signature check, SBOM and approval. Run by each level's CodeBuild
# project (privileged Docker, in the platform network, no route to the internet); shipped with
# platform_constructs and written into the build by its buildspec.
#
#   1. base      Level 0 pulls the policy's base by digest and REFUSES a tag (printing the digest it names).
#                Levels 1 and 2 read the approved image of the level below from SSM and REFUSE any base
#                that is not that repository's image pinned by digest.
#   2. build     docker build (package index token as a BuildKit secret; lock files install with
#                --require-hashes), smoke test with `docker run --network none` (the user the lineage needs;
#                a CUDA device only on a GPU host; inference images: SageMaker's serve, /ping, /invocations).
#   3. push      with a `build-*` tag only. ECR managed signing signs the pushed image (registry settings).
#   4. gates     wait for the ECR scan of the pushed digest: any finding at or above the policy's severity
#                refuses the image; wait for its signature by the platform's signing profile.
#   5. SBOM      Inspector exports the image's SBOM beside the approval record (s3://SBOM_BUCKET/<repo>/<digest>/).
#   6. approve   write the approval record, add the immutable `approved-*` tag, write `repository@digest` to the
#                level's SSM parameter (and the lineage's default-image parameter for a runtime) and tag it.
#                Writing the parameter emits the event that rebuilds the levels above.
set -euo pipefail

: "${LEVEL:?}" "${REPOSITORY_NAME:?}" "${REPOSITORY_URI:?}" "${APPROVED_PARAMETER:?}"
: "${SCAN_BLOCK_SEVERITIES:?}" "${SCAN_TIMEOUT_SECONDS:?}" "${GPU:?}" "${GPU_HOST:?}" "${SERVING:?}"
: "${PARAMETER_TAGS:?}" "${SBOM_BUCKET:?}" "${SBOM_KEY_ARN:?}" "${SIGNING_PROFILE_ARN:?}"
cd "$(dirname "$0")"
POLL_SECONDS="${POLL_SECONDS:-15}"

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
  : "${BASE_IMAGE:?}" "${BASE_POLICY_FIELD:?}"
  # BASE_REGISTRY: the base's ECR registry host, read at synth by images/uri.py (empty: not an ECR registry).
  if [ -n "${BASE_REGISTRY:-}" ]; then ecr_login "$BASE_REGISTRY"; fi
  case "$BASE_IMAGE" in
    *@sha256:*) ;;
    *)
      docker pull --quiet "$BASE_IMAGE" >/dev/null
      names="$(docker inspect --format '{{index .RepoDigests 0}}' "$BASE_IMAGE")"
      refuse "the base ${BASE_IMAGE} is pinned by a tag, not by digest; the tag names ${names} now." \
             "Review that image and pin it in ${BASE_POLICY_FIELD}: ${BASE_IMAGE}@${names##*@}" ;;
  esac
  docker pull --quiet "$BASE_IMAGE" >/dev/null
  base="$BASE_IMAGE"
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

# 2. build and smoke test, offline --------------------------------------------------------------------
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

run_args=(--rm --network none)
smoke_args=()
gpu_args=()
if [ "$GPU_HOST" = 1 ]; then gpu_args=(--gpus all); smoke_args=(--gpu-host); fi
docker run "${run_args[@]}" "${gpu_args[@]}" --entrypoint python "$image" \
  /opt/platform/smoke_test.py --level "$LEVEL" --runtime "${smoke_args[@]}" \
  || refuse "the smoke test failed in the built image"
if [ "$SERVING" = 1 ]; then
  model_dir="$(mktemp -d)"
  chmod 0777 "$model_dir"
  docker run "${run_args[@]}" --entrypoint python -v "${model_dir}:/opt/ml/model" "$image" \
    /opt/platform/serving_contract.py make-model /opt/ml/model || refuse "no test model for the serving contract"
  container="$(docker run -d --network none "${gpu_args[@]}" -v "${model_dir}:/opt/ml/model:ro" "$image" serve)"
  contract=0
  docker exec "$container" python /opt/platform/serving_contract.py check --timeout 300 || contract=$?
  docker rm -f "$container" >/dev/null
  [ "$contract" = 0 ] || refuse "the image does not meet SageMaker's serving contract (serve; /ping and" \
                                "/invocations on port 8080)"
fi

# 3. push (ECR managed signing signs it) --------------------------------------------------------------
docker push --quiet "$image" >/dev/null
digest="$(aws ecr describe-images --repository-name "$REPOSITORY_NAME" --image-ids "imageTag=${tag}" \
  --query 'imageDetails[0].imageDigest' --output text)"
echo "pushed: ${REPOSITORY_URI}@${digest} (${tag})"

# 4. gates: the scan, then the signature --------------------------------------------------------------
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
  sleep "$POLL_SECONDS"
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

while :; do
  signing="$(aws ecr describe-image-signing-status --repository-name "$REPOSITORY_NAME" \
    --image-id "imageDigest=${digest}" \
    --query "signingStatuses[?signingProfileArn=='${SIGNING_PROFILE_ARN}'].status | [0]" --output text \
    2>/dev/null || echo PENDING)"
  case "$signing" in
    COMPLETE) break ;;
    FAILED) refuse "ECR managed signing failed for ${digest} (profile ${SIGNING_PROFILE_ARN})" ;;
  esac
  [ "$SECONDS" -lt "$deadline" ] || refuse "no signature of ${digest} by ${SIGNING_PROFILE_ARN} in" \
    "${SCAN_TIMEOUT_SECONDS}s: the registry's managed signing must sign platform/* (registry_settings=True on" \
    "one pipeline of this account and region)"
  sleep "$POLL_SECONDS"
done
echo "signed: ${digest} by ${SIGNING_PROFILE_ARN}"

# 5. SBOM, beside the approval record -----------------------------------------------------------------
evidence="${REPOSITORY_NAME}/${digest/:/-}"
filter="$(python3 -c 'import json, sys
print(json.dumps({"ecrRepositoryName": [{"comparison": "EQUALS", "value": sys.argv[1]}],
                  "ecrImageTags": [{"comparison": "EQUALS", "value": sys.argv[2]}]}))' "$REPOSITORY_NAME" "$tag")"
report="$(aws inspector2 create-sbom-export --report-format SPDX_2_3 --resource-filter-criteria "$filter" \
  --s3-destination "bucketName=${SBOM_BUCKET},keyPrefix=${evidence},kmsKeyArn=${SBOM_KEY_ARN}" \
  --query reportId --output text)"
while :; do
  export_status="$(aws inspector2 get-sbom-export --report-id "$report" --query status --output text)"
  case "$export_status" in
    SUCCEEDED) break ;;
    FAILED | CANCELLED) refuse "the SBOM export ${report} of ${digest} ended with status ${export_status}" ;;
  esac
  [ "$SECONDS" -lt "$deadline" ] || refuse "the SBOM export ${report} did not finish in ${SCAN_TIMEOUT_SECONDS}s"
  sleep "$POLL_SECONDS"
done
echo "sbom: s3://${SBOM_BUCKET}/${evidence}/ (report ${report})"

# 6. approve and publish ------------------------------------------------------------------------------
approved_tag="approved-${tag#build-}"
record="$(mktemp)"
python3 -c 'import json, sys
keys = ("repository", "digest", "build_tag", "approved_tag", "base", "scan_counts", "signing_profile", "sbom_report")
record = dict(zip(keys, sys.argv[1:]))
record["scan_counts"] = json.loads(record["scan_counts"] or "{}")
print(json.dumps(record, indent=1, sort_keys=True))' "$REPOSITORY_URI" "$digest" "$tag" "$approved_tag" "$base" \
  "$counts" "$SIGNING_PROFILE_ARN" "$report" >"$record"
aws s3 cp --quiet "$record" "s3://${SBOM_BUCKET}/${evidence}/approval.json" --sse aws:kms \
  --sse-kms-key-id "$SBOM_KEY_ARN"
manifest="$(aws ecr batch-get-image --repository-name "$REPOSITORY_NAME" --image-ids "imageDigest=${digest}" \
  --query 'images[0].imageManifest' --output text)"
media_type="$(aws ecr batch-get-image --repository-name "$REPOSITORY_NAME" --image-ids "imageDigest=${digest}" \
  --query 'images[0].imageManifestMediaType' --output text)"
aws ecr put-image --repository-name "$REPOSITORY_NAME" --image-tag "$approved_tag" \
  --image-manifest "$manifest" --image-manifest-media-type "$media_type" >/dev/null
for parameter in $APPROVED_PARAMETER ${DEFAULT_PARAMETERS:-}; do
  aws ssm put-parameter --name "$parameter" --value "${REPOSITORY_URI}@${digest}" --overwrite >/dev/null
  aws ssm add-tags-to-resource --resource-type Parameter --resource-id "$parameter" --tags "$PARAMETER_TAGS"
done
echo "approved: ${REPOSITORY_URI}@${digest} (${approved_tag})"
