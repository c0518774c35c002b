# Container image for the webhook Lambda (AWS Lambda Node.js 22 base image).
# Build the bundle first (`make build`); `make dist-dev` does both. The same bundle ships as
# packages/lambda/dist/lambda.zip for the zip deployment on the nodejs22.x runtime.
FROM public.ecr.aws/lambda/nodejs:22

COPY packages/lambda/dist/webhook.mjs packages/lambda/dist/ping.mjs ${LAMBDA_TASK_ROOT}/
COPY packages/lambda/dist/chunks/ ${LAMBDA_TASK_ROOT}/chunks/

# The ping function uses the same image with its command overridden to "ping.handler".
CMD ["webhook.handler"]
