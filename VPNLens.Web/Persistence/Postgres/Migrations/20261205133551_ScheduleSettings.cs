using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VPNLens.Web.Persistence.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ScheduleSettings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_SeriesWatches_NodeId_Protocol_Metric",
                table: "SeriesWatches");

            migrationBuilder.AddColumn<string>(
                name: "SettingsKey",
                table: "SeriesWatches",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "Settings",
                table: "Schedules",
                type: "character varying(400)",
                maxLength: 400,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_SeriesWatches_NodeId_Protocol_Metric_SettingsKey",
                table: "SeriesWatches",
                columns: new[] { "NodeId", "Protocol", "Metric", "SettingsKey" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_SeriesWatches_NodeId_Protocol_Metric_SettingsKey",
                table: "SeriesWatches");

            migrationBuilder.DropColumn(
                name: "SettingsKey",
                table: "SeriesWatches");

            migrationBuilder.DropColumn(
                name: "Settings",
                table: "Schedules");

            migrationBuilder.CreateIndex(
                name: "IX_SeriesWatches_NodeId_Protocol_Metric",
                table: "SeriesWatches",
                columns: new[] { "NodeId", "Protocol", "Metric" },
                unique: true);
        }
    }
}
