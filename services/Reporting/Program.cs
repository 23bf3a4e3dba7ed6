using Pipeline.Reporting;
using Pipeline.Reporting.Infrastructure;
using Pipeline.Messaging;
using Pipeline.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddReportingService();

var app = builder.Build();
app.UseServiceDefaults();
app.MapReportingApi();

await app.RunServiceAsync<ReportingDbContext>(args);
