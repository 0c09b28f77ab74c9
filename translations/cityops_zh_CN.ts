<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Catalogue</name>
    <message>
        <location filename="../models/domain/catalogue.cpp" line="+43"/>
        <source>field &quot;%1&quot; is missing or empty</source>
        <translation>字段“%1”缺失或为空</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>field &quot;%1&quot; must be a whole number from %2 to %3</source>
        <translation>字段“%1”必须是 %2 到 %3 之间的整数</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+129"/>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <location line="-111"/>
        <source>catalogue is not valid JSON at offset %1: %2</source>
        <translation>分类目录不是有效的 JSON（偏移量 %1）：%2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>catalogue must be a JSON object</source>
        <translation>分类目录必须是 JSON 对象</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>catalogue needs the arrays &quot;majors&quot; and &quot;subcategories&quot;</source>
        <translation>分类目录需要包含数组“majors”和“subcategories”</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>major #%1</source>
        <translation>第 %1 个大类</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>major %1</source>
        <translation>大类 %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>code must be F or E followed by two digits</source>
        <translation>编码必须为 F 或 E 后接两位数字</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>kind must be &quot;facility&quot; or &quot;event&quot;</source>
        <translation>kind 必须为“facility”（部件）或“event”（事件）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>code prefix does not match kind</source>
        <translation>编码前缀与类型不符</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+59"/>
        <source>duplicate code</source>
        <translation>编码重复</translation>
    </message>
    <message>
        <location line="-48"/>
        <source>subcategory #%1</source>
        <translation>第 %1 个小类</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>subcategory %1</source>
        <translation>小类 %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>code must be F or E followed by four digits</source>
        <translation>编码必须为 F 或 E 后接四位数字</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>major category %1 does not exist</source>
        <translation>大类 %1 不存在</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>code does not start with its major code %1</source>
        <translation>编码未以其大类编码 %1 开头</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>limit_unit must be &quot;working_hours&quot; or &quot;working_days&quot;</source>
        <translation>limit_unit 必须为“working_hours”（工作时）或“working_days”（工作日）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>unknown responsible_unit &quot;%1&quot;</source>
        <translation>未知的责任单位“%1”</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>frequency must be high, medium or low</source>
        <translation>frequency（发生频率）必须为 high、medium 或 low</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>subcategory %1 ladder</source>
        <translation>小类 %1 的升级阶梯</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>field &quot;ladder&quot; must be an object or null</source>
        <translation>字段“ladder”必须是对象或 null</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>catalogue has no subcategories</source>
        <translation>分类目录中没有小类</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>cannot read catalogue %1: %2</source>
        <translation>无法读取分类目录 %1：%2</translation>
    </message>
</context>
<context>
    <name>Cli</name>
    <message>
        <location filename="../app/cli/main.cpp" line="+69"/>
        <source>unexpected argument &quot;%1&quot;</source>
        <translation>多余的参数“%1”</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Random seed (default 1).</source>
        <translation>随机种子（默认为 1）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Number of cases (default 20000).</source>
        <translation>案件数量（默认为 20000）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Data directory to create the demo cache in.</source>
        <translation>用于创建演示本地缓存的数据目录。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&quot;Now&quot; of the demo as an ISO date or date-time in Asia/Shanghai (default 2026-11-27T18:00). Every generated time lies before it.</source>
        <translation>演示数据的“当前时间”，为 Asia/Shanghai 时区的 ISO 日期或日期时间（默认为 2026-11-27T18:00）。所有生成的时间均早于该时间。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>--seed must be a non-negative whole number</source>
        <translation>--seed 必须是非负整数</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>--cases must be a whole number from 0 to 10000000</source>
        <translation>--cases 必须是 0 到 10000000 之间的整数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>--out DIR is required</source>
        <translation>必须指定 --out DIR</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>--anchor &quot;%1&quot; is not an ISO date or date-time</source>
        <translation>--anchor“%1”不是有效的 ISO 日期或日期时间</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Demo district written to %1 in %2 s: %3 streets, %4 communities, %5 grids, %6 roads, %7 cameras and sensors, %8 units, %9 users, %10 cases, %11 events.</source>
        <translation>演示区数据已写入 %1，用时 %2 秒：%3 个街镇、%4 个社区、%5 个网格、%6 条道路、%7 个视频监控和传感器、%8 个单位、%9 名用户、%10 件案件、%11 条事件记录。</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Cache:          %1</source>
        <translation>本地缓存：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Schema version: %1</source>
        <translation>架构版本：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Size:           %1 bytes</source>
        <translation>文件大小：%1 字节</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>District:       %1</source>
        <translation>所辖区域：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cases:          %1</source>
        <translation>案件数量：%1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Build a deterministic synthetic demo district and cases.</source>
        <translation>生成确定性的合成演示区及案件数据。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show what the local cache holds.</source>
        <translation>显示本地缓存中的内容。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Usage: cityops-cli [--data DIR] [--lang zh_CN|en] COMMAND [options]

Global options:
  --data DIR   Data directory (default: %1)
  --lang LANG  Message language: zh_CN or en (default: system locale)
  -h, --help   Show this help; COMMAND --help shows a command&apos;s options
  -v, --version

Commands:
</source>
        <translation>用法：cityops-cli [--data DIR] [--lang zh_CN|en] COMMAND [选项]

全局选项：
  --data DIR   数据目录（默认：%1）
  --lang LANG  消息语言：zh_CN 或 en（默认：系统区域设置）
  -h, --help   显示本帮助；COMMAND --help 显示该命令的选项
  -v, --version

命令：
</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>
Exit codes: 0 success, 1 error, 2 usage error.</source>
        <translation>
退出码：0 成功，1 错误，2 用法错误。</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>--data needs a directory</source>
        <translation>--data 需要指定目录</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>--lang takes zh_CN or en</source>
        <translation>--lang 只接受 zh_CN 或 en</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>unknown option &quot;%1&quot;; see cityops-cli --help</source>
        <translation>未知选项“%1”；请参阅 cityops-cli --help</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>unknown command &quot;%1&quot;; see cityops-cli --help</source>
        <translation>未知命令“%1”；请参阅 cityops-cli --help</translation>
    </message>
</context>
<context>
    <name>Database</name>
    <message>
        <location filename="../models/storage/database.cpp" line="+59"/>
        <source>Cannot create the data directory %1.</source>
        <translation>无法创建数据目录 %1。</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>%1 is not a file.</source>
        <translation>%1 不是文件。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 is not a CityOps cache: it is not an SQLite database. The file was not modified.</source>
        <translation>%1 不是 CityOps 本地缓存：它不是 SQLite 数据库。文件未被修改。</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+39"/>
        <source>Cannot open %1: %2</source>
        <translation>无法打开 %1：%2</translation>
    </message>
    <message>
        <location line="-34"/>
        <source>%1 is damaged or not a CityOps cache (%2). The file was not modified.</source>
        <translation>%1 已损坏或不是 CityOps 本地缓存（%2）。文件未被修改。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 is an SQLite database but not a CityOps cache. The file was not modified.</source>
        <translation>%1 是 SQLite 数据库，但不是 CityOps 本地缓存。文件未被修改。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 is damaged: its schema version cannot be read (%2). The file was not modified.</source>
        <translation>%1 已损坏：无法读取其架构版本（%2）。文件未被修改。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 was written by a newer CityOps (schema %2; this build supports up to %3). The file was not modified.</source>
        <translation>%1 由更新版本的 CityOps 写入（架构版本 %2；本版本最高支持 %3）。文件未被修改。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 does not exist.</source>
        <translation>%1 不存在。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>The Qt SQLite driver did not expose its handle.</source>
        <translation>Qt SQLite 驱动未提供其句柄。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cannot prepare %1: %2</source>
        <translation>无法准备 %1：%2</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Cannot update the schema of %1: %2</source>
        <translation>无法更新 %1 的架构：%2</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>migration %1 (%2) failed: %3</source>
        <translation>迁移 %1（%2）失败：%3</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>no active transaction</source>
        <translation>没有活动的事务</translation>
    </message>
</context>
<context>
    <name>DemoGenerator</name>
    <message>
        <location filename="../models/demo/demogenerator.cpp" line="+91"/>
        <source>demo name data is missing</source>
        <translation>缺少演示用名称数据</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>demo name data is incomplete</source>
        <translation>演示用名称数据不完整</translation>
    </message>
    <message>
        <location line="+132"/>
        <source>a community needs more than 99 grids</source>
        <translation>一个社区需要的网格超过 99 个</translation>
    </message>
    <message>
        <location line="+632"/>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>the number of cases must not be negative</source>
        <translation>案件数量不能为负数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>cannot create the directory %1</source>
        <translation>无法创建目录 %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 already exists; choose an empty directory or remove the old cache first</source>
        <translation>%1 已存在；请选择一个空目录，或先删除旧的本地缓存</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>cannot move the new cache to %1</source>
        <translation>无法将新的本地缓存移动到 %1</translation>
    </message>
</context>
<context>
    <name>Names</name>
    <message>
        <location filename="../models/domain/types.cpp" line="+84"/>
        <location line="+71"/>
        <source>Reported</source>
        <translation>已上报</translation>
    </message>
    <message>
        <location line="-70"/>
        <source>Registered</source>
        <translation>已立案</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+72"/>
        <source>Dispatched</source>
        <translation>已派遣</translation>
    </message>
    <message>
        <location line="-71"/>
        <source>Handling</source>
        <translation>处置中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Awaiting verification</source>
        <translation>待核查</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+75"/>
        <source>Closed</source>
        <translation>已结案</translation>
    </message>
    <message>
        <location line="-74"/>
        <source>Returned</source>
        <translation>已回退</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+78"/>
        <source>Shelved</source>
        <translation>已挂账</translation>
    </message>
    <message>
        <location line="-77"/>
        <location line="+65"/>
        <source>Not filed</source>
        <translation>不予立案</translation>
    </message>
    <message>
        <location line="-57"/>
        <source>No escalation</source>
        <translation>未升级</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stage 1: notice</source>
        <translation>第一阶段：提醒告知</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stage 2: community persuasion</source>
        <translation>第二阶段：社区劝导</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stage 3: enforcement</source>
        <translation>第三阶段：执法</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Operator</source>
        <translation>值班员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dispatcher</source>
        <translation>派遣员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Supervisor</source>
        <translation>值班长</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Field worker</source>
        <translation>外勤人员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enforcement officer</source>
        <translation>执法队员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Auditor</source>
        <translation>审计员</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Camera</source>
        <translation>视频监控</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Patrol</source>
        <translation>巡查</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Hotline</source>
        <translation>12345热线</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Grid worker</source>
        <translation>网格员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open311</source>
        <translation>Open311</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Registered (filed)</source>
        <translation>立案</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Accepted</source>
        <translation>已签收</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Returned to the centre</source>
        <translation>回退至中心</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Handling feedback</source>
        <translation>处置反馈</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Verification passed</source>
        <translation>核查通过</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Verification failed (rework)</source>
        <translation>核查未通过（返工）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reopened</source>
        <translation>重新启用</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Extension requested</source>
        <translation>申请延期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Extension approved</source>
        <translation>同意延期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Extension rejected</source>
        <translation>不同意延期</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Notice issued to the party</source>
        <translation>已向当事人告知</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Re-check: corrected</source>
        <translation>复查：已整改</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Re-check: not corrected</source>
        <translation>复查：未整改</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Escalation requested</source>
        <translation>申请升级</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Escalation approved</source>
        <translation>同意升级</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Escalation rejected</source>
        <translation>不同意升级</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>to %1</source>
        <translation>派往 %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>unit %1</source>
        <translation>单位 %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>reason: %1</source>
        <translation>原因：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>correct by %1</source>
        <translation>整改期限 %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>decision %1</source>
        <translation>处罚决定书 %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>camera %1</source>
        <translation>摄像头 %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>channel %1</source>
        <translation>渠道 %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>stage skipped</source>
        <translation>越级升级</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>re-dispatched</source>
        <translation>重新派遣</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>corrected</source>
        <translation>已整改</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>reworked</source>
        <translation>已返工</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>handled</source>
        <translation>已处置</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>; </source>
        <translation>；</translation>
    </message>
</context>
<context>
    <name>TimeFormat</name>
    <message>
        <location filename="../models/util/timefmt.cpp" line="+27"/>
        <source>%1d %2h</source>
        <translation>%1天%2小时</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1h %2m</source>
        <translation>%1小时%2分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 left</source>
        <translation>剩余%1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>overdue %1</source>
        <translation>已超期%1</translation>
    </message>
</context>
<context>
    <name>WorkCalendar</name>
    <message>
        <location filename="../models/domain/workcalendar.cpp" line="+39"/>
        <source>calendar is not a valid JSON object: %1</source>
        <translation>工作日历不是有效的 JSON 对象：%1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>calendar: bad working period %1</source>
        <translation>工作日历：工作时段 %1 无效</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>calendar: no working periods</source>
        <translation>工作日历：没有工作时段</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>calendar: working periods overlap</source>
        <translation>工作日历：工作时段重叠</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>calendar: weekend days are ISO weekdays 1..7</source>
        <translation>工作日历：周末日须为 ISO 星期 1..7</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>calendar: bad holiday date &quot;%1&quot;</source>
        <translation>工作日历：节假日日期“%1”无效</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>calendar: bad make-up workday &quot;%1&quot;</source>
        <translation>工作日历：调休工作日“%1”无效</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>calendar: %1 is both a holiday and a workday</source>
        <translation>工作日历：%1 既是节假日又是工作日</translation>
    </message>
</context>
<context>
    <name>cityops::CaseDetailWidget</name>
    <message>
        <location filename="../ui/casedetailwidget.cpp" line="+23"/>
        <source>Select a case in the queue to see its details and timeline.</source>
        <translation>在案件队列中选择一件案件，查看其详情和处置过程。</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Category</source>
        <translation>案件类别</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Escalation stage</source>
        <translation>升级阶段</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Street / community</source>
        <translation>街镇 / 社区</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Description</source>
        <translation>问题描述</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Party</source>
        <translation>当事人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Position (WGS-84)</source>
        <translation>位置（WGS-84）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reported</source>
        <translation>上报时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deadline</source>
        <translation>处置时限</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Closed</source>
        <translation>结案时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Responsible unit</source>
        <translation>责任单位</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Assignee</source>
        <translation>责任人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Event</source>
        <translation>事件</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Actor</source>
        <translation>操作人</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Case %1 · %2</source>
        <translation>案件 %1 · %2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Filing condition: %1
Closure condition: %2</source>
        <translation>立案条件：%1
结案条件：%2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Urgent</source>
        <translation>紧急</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>High</source>
        <translation>高</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Normal</source>
        <translation>一般</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+10"/>
        <location line="+1"/>
        <location line="+1"/>
        <location line="+1"/>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <location line="-8"/>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
</context>
<context>
    <name>cityops::CaseListModel</name>
    <message>
        <location filename="../models/itemmodels/caselistmodel.cpp" line="+92"/>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Category</source>
        <translation>案件类别</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Street</source>
        <translation>街镇</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deadline</source>
        <translation>处置时限</translation>
    </message>
</context>
<context>
    <name>cityops::MainWindow</name>
    <message>
        <location filename="../ui/mainwindow.cpp" line="+44"/>
        <source>CityOps — %1</source>
        <translation>CityOps — %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>District operations centre</source>
        <translation>区城运中心</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>● Offline</source>
        <translation>● 离线</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not connected to the central platform; working on the local cache.</source>
        <translation>未连接市级平台；正在使用本地缓存工作。</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Queues</source>
        <translation>案件队列</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Case detail</source>
        <translation>案件详情</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Reload cache</source>
        <translation>重新加载本地缓存(&amp;R)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Case</source>
        <translation>案件(&amp;C)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Go to case…</source>
        <translation>转到案件(&amp;G)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Focus the &amp;queue</source>
        <translation>聚焦案件队列(&amp;Q)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Focus the case &amp;detail</source>
        <translation>聚焦案件详情(&amp;D)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;Theme</source>
        <translation>主题(&amp;T)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Light</source>
        <translation>浅色(&amp;L)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Dark</source>
        <translation>深色(&amp;D)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Toggle light/&amp;dark</source>
        <translation>切换浅色/深色(&amp;D)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Reset layout</source>
        <translation>重置布局(&amp;R)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Keyboard shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;About CityOps</source>
        <translation>关于 CityOps(&amp;A)</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>%1 cases</source>
        <translation>%1 件案件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cache %1</source>
        <translation>本地缓存 %1</translation>
    </message>
    <message>
        <location line="+26"/>
        <location line="+7"/>
        <source>Go to case</source>
        <translation>转到案件</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>Case number:</source>
        <translation>案件编号：</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>There is no case %1.</source>
        <translation>不存在案件 %1。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Move in the queue</source>
        <translation>在案件队列中移动</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open the selected case</source>
        <translation>打开所选案件</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>About CityOps</source>
        <translation>关于 CityOps</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&lt;h3&gt;CityOps %1&lt;/h3&gt;&lt;p&gt;Command and dispatch console for district urban-operations centres.&lt;/p&gt;&lt;p&gt;Cache: %2&lt;/p&gt;</source>
        <translation>&lt;h3&gt;CityOps %1&lt;/h3&gt;&lt;p&gt;区城运中心指挥派遣工作台。&lt;/p&gt;&lt;p&gt;本地缓存：%2&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../app/console/main.cpp" line="+36"/>
        <source>Unknown language &quot;%1&quot;; use zh_CN or en.</source>
        <translation>未知语言“%1”；请使用 zh_CN 或 en。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>CityOps command and dispatch console.</source>
        <translation>CityOps 指挥派遣工作台。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Data directory (default: %1).</source>
        <translation>数据目录（默认：%1）。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Render the window at 1600x1000 to a PNG and exit.</source>
        <translation>以 1600x1000 渲染窗口并保存为 PNG 后退出。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>View to show: %1.</source>
        <translation>要显示的视图：%1。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>User-interface language: zh_CN or en (default: the system locale).</source>
        <translation>界面语言：zh_CN 或 en（默认：系统区域设置）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Theme: light or dark.</source>
        <translation>主题：light（浅色）或 dark（深色）。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>CityOps</source>
        <translation>CityOps</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Unknown view &quot;%1&quot;; use one of: %2.</source>
        <translation>未知视图“%1”；请使用以下之一：%2。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Unknown theme &quot;%1&quot;; use light or dark.</source>
        <translation>未知主题“%1”；请使用 light 或 dark。</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Cannot write the screenshot to %1.</source>
        <translation>无法将截图写入 %1。</translation>
    </message>
</context>
</TS>
