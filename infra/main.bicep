// CoachFlow: one complete environment in a resource group.
//   az deployment group create -g <rg> --template-file infra/main.bicep --parameters infra/main.dev.bicepparam
// Resources: user-assigned identity, storage (Entra ID only), Key Vault (RBAC) with the
// SendGrid API key, link-signing key and SendGrid Event Webhook verification key secrets, Log Analytics + Application Insights, and a
// Flex Consumption (FC1) function app running CoachFlow as a .NET isolated worker with Durable Functions.
targetScope = 'resourceGroup'

metadata description = 'CoachFlow on Azure Functions Flex Consumption (.NET isolated worker, Durable Functions).'

@description('Name of the environment (e.g. coachflow-dev); feeds the resource token and the azd-env-name tag.')
@minLength(1)
@maxLength(64)
param environmentName string

@description('Azure region for every resource; defaults to the resource group\'s region. Must offer Flex Consumption.')
param location string = resourceGroup().location

@description('Memory per function app instance in MB (Flex Consumption sizes).')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Upper bound on instances the function app scales out to (caps cost and storage load).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('SendGrid API key; stored in Key Vault as secret "sendgrid-api-key".')
@secure()
@minLength(1)
param sendGridApiKey string

@description('HMAC key for signed engagement links; stored as "link-signing-key". The default is a fresh random value on every deployment, so pin it in production.')
@secure()
@minLength(32)
param linkSigningKey string = '${newGuid()}${newGuid()}'

@description('SendGrid Event Webhook verification key (Mail Settings > Event Webhook > Signature Verification: the base64 public key); stored as "sendgrid-webhook-verification-key". The app refuses to start without it.')
@secure()
@minLength(1)
param sendGridWebhookVerificationKey string

@description('Public https address of CoachFlow, e.g. https://coaching.yourfirm.example (a custom domain bound to the app); emailed links and the dashboard cookie use it. Empty: https://<app>.azurewebsites.net.')
param publicBaseUrl string = ''

@description('Default From address of a firm\'s mail: a SendGrid verified sender, or an address on a domain authenticated in SendGrid. A firm without a sender of its own sends from it; replies go to the coach.')
param senderEmail string

@description('Default From name of a firm\'s mail; empty: each firm\'s mail is from the firm\'s name.')
@maxLength(200)
param senderName string = ''

@description('Domains a firm admin may set the firm\'s own sender on (authenticated in SendGrid). Default: the default sender\'s domain.')
param allowedSenderDomains string[] = [last(split(senderEmail, '@'))]

@description('Redundancy of the storage account.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSkuName string = 'Standard_LRS'

@description('Turn on Key Vault purge protection (irreversible; use for production).')
param enableKeyVaultPurgeProtection bool = false

@description('Durable Functions task hub (host.json hubName, app setting CoachFlowTaskHub): 3-45 letters and digits, starting with a letter. Engagements in flight stay with the hub they started in.')
@minLength(3)
@maxLength(45)
param taskHubName string = 'coachflow'

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var appName = '${abbrs.webSitesFunctions}${resourceToken}'
// Container names: 3-63 chars, lowercase letters, digits and dashes.
var applicationInsightsName = '${abbrs.insightsComponents}${resourceToken}'
var publicUrl = empty(publicBaseUrl) ? 'https://${appName}.azurewebsites.net' : publicBaseUrl
// Prefix of CoachFlow's tables, containers and queues on the account (and so of the queue names the triggers read).
var storagePrefix = 'coachflow'
var deploymentContainerName = 'app-package-${take(appName, 32)}-${take(resourceToken, 7)}'

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${abbrs.managedIdentityUserAssignedIdentities}${resourceToken}'
  location: location
  tags: tags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    tags: tags
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: applicationInsightsName
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    tags: tags
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    skuName: storageSkuName
    deploymentContainerName: deploymentContainerName
    appIdentityName: appIdentity.name
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    location: location
    tags: tags
    name: '${abbrs.keyVaultVaults}${resourceToken}'
    appIdentityName: appIdentity.name
    sendGridApiKey: sendGridApiKey
    linkSigningKey: linkSigningKey
    sendGridWebhookVerificationKey: sendGridWebhookVerificationKey
    enablePurgeProtection: enableKeyVaultPurgeProtection
  }
}

// Depends on the storage and Key Vault modules through their outputs, so the identity's
// role assignments exist before the app first starts and pulls its package.
module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    location: location
    tags: tags
    appTags: union(tags, { 'azd-service-name': 'coachflow' })
    planName: '${abbrs.webServerFarms}${resourceToken}'
    appName: appName
    identityId: appIdentity.id
    identityClientId: appIdentity.properties.clientId
    storageAccountName: storage.outputs.name
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: storage.outputs.deploymentContainerName
    applicationInsightsName: applicationInsightsName
    sendGridApiKeySecretUri: keyVault.outputs.sendGridApiKeySecretUri
    linkSigningKeySecretUri: keyVault.outputs.linkSigningKeySecretUri
    sendGridWebhookVerificationKeySecretUri: keyVault.outputs.sendGridWebhookVerificationKeySecretUri
    publicBaseUrl: publicUrl
    senderEmail: senderEmail
    senderName: senderName
    allowedSenderDomains: allowedSenderDomains
    storagePrefix: storagePrefix
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    taskHubName: taskHubName
  }
  // The app reads the connection string of the component the monitoring module creates.
  dependsOn: [
    monitoring
  ]
}

@description('Name of the function app.')
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name

@description('Default URL of the function app (https://<app>.azurewebsites.net).')
output AZURE_FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'

@description('Public URL CoachFlow builds its links on (CoachFlow__PublicBaseUrl).')
output COACHFLOW_PUBLIC_URL string = publicUrl

@description('Where to point SendGrid\'s Event Webhook.')
output SENDGRID_EVENT_WEBHOOK_URL string = '${publicUrl}/api/webhooks/sendgrid'

@description('Name of the storage account (Tables, Queues, Blobs, deployment package).')
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name

@description('Name of the Key Vault holding the secrets.')
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name

@description('Name of the Application Insights component.')
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
