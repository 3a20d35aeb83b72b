// Development environment: small instances, low scale-out cap.
//   export SENDGRID_API_KEY=SG.xxxx   (optional in dev: a placeholder is stored otherwise, and no mail goes out)
//   export SENDGRID_WEBHOOK_PUBLIC_KEY=MFkw...   (optional in dev: with the placeholder every webhook call is refused)
//   export COACHFLOW_PUBLIC_URL=https://coaching-dev.yourfirm.example   (optional: https://<app>.azurewebsites.net otherwise)
//   az deployment group create -g rg-coachflow-dev --template-file infra/main.bicep --parameters infra/main.dev.bicepparam
// The link signing key is omitted here, so each deployment generates a new one
// (links issued before a redeploy stop verifying). Set it explicitly to keep it stable.
using 'main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'coachflow-dev')
param instanceMemoryMB = 2048
param maximumInstanceCount = 40
param sendGridApiKey = readEnvironmentVariable('SENDGRID_API_KEY', 'not-configured')
param senderEmail = readEnvironmentVariable('COACHFLOW_SENDER_EMAIL', 'coachflow-dev@example.com')
param sendGridWebhookVerificationKey = readEnvironmentVariable('SENDGRID_WEBHOOK_PUBLIC_KEY', 'not-configured')
param publicBaseUrl = readEnvironmentVariable('COACHFLOW_PUBLIC_URL', '')
param senderName = readEnvironmentVariable('COACHFLOW_SENDER_NAME', '')
