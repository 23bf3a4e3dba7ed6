using Pipeline.Opportunity;
using Pipeline.Opportunity.Infrastructure;
using Pipeline.Messaging;
using Pipeline.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddOpportunityService();

var app = builder.Build();
app.UseServiceDefaults();
app.MapOpportunityApi();

await app.RunServiceAsync<OpportunityDbContext>(args);
