// CoachFlow: one complete environment in a resource group.
//   az deployment group create -g <rg> --template-file infra/main.bicep --parameters infra/main.dev.bicepparam
// Resources: user-assigned identity, storage (Entra ID only), Key Vault (RBAC) with the
// SendGrid and link-signing secrets, Log Analytics + Application Insights, and a
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

@description('From address of CoachFlow mail; must be a verified sender in SendGrid.')
param senderEmail string

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
    senderEmail: senderEmail
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

@description('Public URL of CoachFlow.')
output AZURE_FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'

@description('Name of the storage account (Tables, Queues, Blobs, deployment package).')
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name

@description('Name of the Key Vault holding the secrets.')
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name

@description('Name of the Application Insights component.')
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
