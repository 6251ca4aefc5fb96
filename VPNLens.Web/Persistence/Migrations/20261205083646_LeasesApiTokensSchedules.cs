using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VPNLens.Web.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class LeasesApiTokensSchedules : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "QueueSequence",
                table: "Runs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Endpoint",
                table: "Nodes",
                type: "TEXT",
                maxLength: 100,
                nullable: false,
                defaultValue: "control-plane");

            migrationBuilder.CreateTable(
                name: "Alerts",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    NodeId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ScheduleId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Protocol = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    Metric = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    OpenedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RecoveredAt = table.Column<long>(type: "INTEGER", nullable: true),
                    OpenedByRunId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RecoveredByRunId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ChangeAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Before = table.Column<double>(type: "REAL", nullable: true),
                    After = table.Column<double>(type: "REAL", nullable: true),
                    ShiftLow = table.Column<double>(type: "REAL", nullable: true),
                    ShiftHigh = table.Column<double>(type: "REAL", nullable: true),
                    PValue = table.Column<double>(type: "REAL", nullable: true),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Alerts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Alerts_Nodes_NodeId",
                        column: x => x.NodeId,
                        principalTable: "Nodes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ApiTokens",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Scope = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Prefix = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RevokedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ApiTokens", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RunLeases",
                columns: table => new
                {
                    Resource = table.Column<string>(type: "TEXT", maxLength: 160, nullable: false),
                    RunId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TakenAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RunLeases", x => x.Resource);
                });

            migrationBuilder.CreateTable(
                name: "Schedules",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    NodeId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Protocols = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Cron = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    TimeZone = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Email = table.Column<string>(type: "TEXT", maxLength: 254, nullable: false),
                    Paused = table.Column<bool>(type: "INTEGER", nullable: false),
                    AlertM = table.Column<int>(type: "INTEGER", nullable: false),
                    AlertN = table.Column<int>(type: "INTEGER", nullable: false),
                    FloorPercent = table.Column<double>(type: "REAL", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LastOccurrence = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Schedules", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Schedules_Nodes_NodeId",
                        column: x => x.NodeId,
                        principalTable: "Nodes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "SeriesWatches",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    NodeId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Protocol = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Metric = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    EpochStart = table.Column<long>(type: "INTEGER", nullable: true),
                    OpenedChangeAt = table.Column<long>(type: "INTEGER", nullable: true),
                    BaselineMean = table.Column<double>(type: "REAL", nullable: true),
                    RegressedMean = table.Column<double>(type: "REAL", nullable: true),
                    OpenAlertId = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SeriesWatches", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SeriesWatches_Nodes_NodeId",
                        column: x => x.NodeId,
                        principalTable: "Nodes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ScheduledRuns",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ScheduleId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RunId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Occurrence = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ScheduledRuns", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ScheduledRuns_Runs_RunId",
                        column: x => x.RunId,
                        principalTable: "Runs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ScheduledRuns_Schedules_ScheduleId",
                        column: x => x.ScheduleId,
                        principalTable: "Schedules",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Runs_QueueSequence",
                table: "Runs",
                column: "QueueSequence",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Alerts_NodeId_OpenedAt",
                table: "Alerts",
                columns: new[] { "NodeId", "OpenedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Alerts_RecoveredAt_OpenedAt",
                table: "Alerts",
                columns: new[] { "RecoveredAt", "OpenedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ApiTokens_Hash",
                table: "ApiTokens",
                column: "Hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RunLeases_ExpiresAt",
                table: "RunLeases",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_RunLeases_RunId",
                table: "RunLeases",
                column: "RunId");

            migrationBuilder.CreateIndex(
                name: "IX_ScheduledRuns_RunId",
                table: "ScheduledRuns",
                column: "RunId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ScheduledRuns_ScheduleId_Occurrence",
                table: "ScheduledRuns",
                columns: new[] { "ScheduleId", "Occurrence" });

            migrationBuilder.CreateIndex(
                name: "IX_Schedules_NodeId",
                table: "Schedules",
                column: "NodeId");

            migrationBuilder.CreateIndex(
                name: "IX_SeriesWatches_NodeId_Protocol_Metric",
                table: "SeriesWatches",
                columns: new[] { "NodeId", "Protocol", "Metric" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Alerts");

            migrationBuilder.DropTable(
                name: "ApiTokens");

            migrationBuilder.DropTable(
                name: "RunLeases");

            migrationBuilder.DropTable(
                name: "ScheduledRuns");

            migrationBuilder.DropTable(
                name: "SeriesWatches");

            migrationBuilder.DropTable(
                name: "Schedules");

            migrationBuilder.DropIndex(
                name: "IX_Runs_QueueSequence",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "QueueSequence",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "Endpoint",
                table: "Nodes");
        }
    }
}
