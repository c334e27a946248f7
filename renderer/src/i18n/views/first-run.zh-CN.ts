// 对话视图入门步骤的中文字符串（并入 zh-CN.ts）。
import type { Message } from '../format.ts';
import type { firstRunEn } from './first-run.en.ts';

export const firstRunZh: Record<keyof typeof firstRunEn, Message> = {
  'firstRun.title': '欢迎使用 Cairn',
  'firstRun.lead': '只需两步，Cairn 就能离线根据你自己的文件回答问题。',
  'firstRun.modelTitle': '选择对话模型',
  'firstRun.modelRecommended': '适合这台电脑：{name}（{size}）。',
  'firstRun.modelWhy': '按这台电脑的配置（{machine}）选择。它在本机离线运行：你的提问不会离开这台电脑。',
  'firstRun.noLocalModel': '这台电脑（{machine}）内存太小，无法运行本地对话模型。请在“模型”中改用对话服务器。',
  'firstRun.licence': '许可证：{licence}',
  'firstRun.modelReady': '正在使用 {name} 回答。',
  'firstRun.download': '下载（{size}）',
  'firstRun.resume': '继续下载（{size}）',
  'firstRun.useModel': '使用 {name}',
  'firstRun.otherModels': '其他模型',
  'firstRun.searchMeanwhile': '在对话模型就绪之前，搜索已经可以使用，回答会说明缺少什么。',
  'firstRun.pullFailed': '无法开始下载',
  'firstRun.useFailed': '无法使用该模型',
  'firstRun.folderTitle': '添加文件夹',
  'firstRun.folderTextDesktop': 'Cairn 会在原位置读取并跟踪其变化。你也可以把文件或文件夹拖放到窗口上。',
  'firstRun.folderTextWeb': 'Cairn 会在原位置读取并跟踪其变化。请输入文件夹的完整路径。',
  'firstRun.folderLabel': '文件夹路径',
  'firstRun.folderPlaceholder': '/home/you/Documents',
  'firstRun.folderAdd': '添加文件夹',
  'firstRun.folderChoose': '选择文件夹…',
  'firstRun.folderAdded': '正在跟踪 {name}：后台建立索引中',
  'firstRun.folderFailed': '无法添加文件夹',
  'firstRun.mailTitle': '添加邮件账户（可选）',
  'firstRun.mailText': '通过 IMAP 同样搜索并引用你的邮件。密码保存在系统的钥匙串中。',
  'firstRun.mailAdded': '正在从 {name} 获取邮件。',
  'firstRun.mailAction': '添加邮件账户…',
};
