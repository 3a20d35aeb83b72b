// Production environment. Secrets come from the environment of the shell that deploys:
//   export SENDGRID_API_KEY=SG.xxxx
//   export COACHFLOW_LINK_SIGNING_KEY="$(openssl rand -base64 48)"   # keep it: rotating it invalidates issued links
//   export SENDGRID_WEBHOOK_PUBLIC_KEY=MFkw...   # Event Webhook > Signature Verification in SendGrid
//   export COACHFLOW_PUBLIC_URL=https://coaching.yourfirm.example   # the custom domain (docs/deploy.md)
//   export COACHFLOW_SENDER_EMAIL=coaching@yourfirm.example
//   export COACHFLOW_SENDER_NAME="Your Firm Coaching"   # optional: each firm's own name otherwise
//   az deployment group create -g rg-coachflow-prod --template-file infra/main.bicep --parameters infra/main.prod.bicepparam
// A missing variable stops the deployment when the parameters are compiled, before anything
// is changed; a too-short key fails validation (@minLength on the secure parameters).
using 'main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'coachflow-prod')
param instanceMemoryMB = 2048
param maximumInstanceCount = 200
param storageSkuName = 'Standard_ZRS'
param enableKeyVaultPurgeProtection = true
param sendGridApiKey = readEnvironmentVariable('SENDGRID_API_KEY')
param linkSigningKey = readEnvironmentVariable('COACHFLOW_LINK_SIGNING_KEY')
param senderEmail = readEnvironmentVariable('COACHFLOW_SENDER_EMAIL')
param sendGridWebhookVerificationKey = readEnvironmentVariable('SENDGRID_WEBHOOK_PUBLIC_KEY')
param publicBaseUrl = readEnvironmentVariable('COACHFLOW_PUBLIC_URL')
param senderName = readEnvironmentVariable('COACHFLOW_SENDER_NAME', '')
