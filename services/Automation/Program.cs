using Pipeline.Automation;
using Pipeline.Automation.Infrastructure;
using Pipeline.Messaging;
using Pipeline.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddAutomationService();

var app = builder.Build();
app.UseServiceDefaults();
app.MapAutomationApi();

await app.RunServiceAsync<AutomationDbContext>(args);
